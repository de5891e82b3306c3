#!/usr/bin/python3
# Print what drgn sees in a kernel dump: every task (pid, comm) and every
# printk record, so two dumps of the same crash can be compared as text.
# usage: drgn_summary.py CORE VMLINUX
import sys

import drgn
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_printk_records


def main():
    core, vmlinux = sys.argv[1], sys.argv[2]
    prog = drgn.Program()
    prog.set_core_dump(core)
    prog.load_debug_info([vmlinux])
    tasks = sorted((t.pid.value_(), t.comm.string_().decode()) for t in for_each_task(prog))
    for pid, comm in tasks:
        print(f"task {pid} {comm}")
    for r in get_printk_records(prog):
        print(f"printk {r.timestamp} {r.text.decode(errors='replace')}")
    # A memory read through the page tables: the kernel's utsname.
    uts = prog["init_uts_ns"].name
    print("uts", uts.release.string_().decode(), uts.machine.string_().decode())


if __name__ == "__main__":
    main()
