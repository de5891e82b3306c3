#!/usr/bin/python3
# Print the comm of every task drgn finds in a kernel dump, one a line.
# usage: drgn_tasks.py DUMP VMLINUX
import sys

import drgn
from drgn.helpers.linux.pid import for_each_task

prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
for t in for_each_task(prog):
    print(t.pid.value_(), t.comm.string_().decode())
