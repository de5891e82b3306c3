/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A vfork child that never execs: it shares its parent's memory, and the
 * parent sleeps uninterruptibly until it leaves. suspend must refuse
 * before trying to stop the parent (which would never stop). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("ready\n");
	fflush(stdout);
	if (vfork() == 0)
		for (;;)
			pause();
	return 0;
}
