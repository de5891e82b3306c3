/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Holds a listening TCP socket (fd 3) and sleeps: suspend must refuse it. */
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0)
		return 1;
	printf("ready %d\n", s);
	fflush(stdout);
	for (;;)
		pause();
}
