#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write seed inputs for fuzz_printk into tests/fuzz/corpus/printk/.

An input is VMCOREINFO text, a NUL byte, then kernel memory mapped at
MEM_BASE. Seeds: a lockless ring buffer (6.1 layout) with three records, one
of them wrapped; a log_buf of struct printk_log records with an end marker;
a plain-text log_buf of an old kernel.

Usage: gen_printk_seeds.py [OUTDIR]
"""
import os
import struct
import sys

MEM_BASE = 0xffff888000000000


class Memory:
    """Kernel memory under construction; alloc() returns kernel addresses."""

    def __init__(self):
        self.data = bytearray()

    def alloc(self, size, align=16):
        off = (len(self.data) + align - 1) // align * align
        self.data.extend(b'\0' * (off + size - len(self.data)))
        return MEM_BASE + off

    def put(self, addr, raw):
        off = addr - MEM_BASE
        self.data[off:off + len(raw)] = raw


def seed(vmcoreinfo_lines, mem):
    return ('\n'.join(vmcoreinfo_lines) + '\n').encode() + b'\0' + bytes(mem.data)


def lockless_seed():
    count_bits, size_bits = 2, 7
    mem = Memory()
    descs = mem.alloc(24 << count_bits)
    infos = mem.alloc(88 << count_bits)
    data = mem.alloc(1 << size_bits)
    rb = mem.alloc(88)
    prb = mem.alloc(8)
    mem.put(prb, struct.pack('<Q', rb))
    # (id, state, lpos begin, lpos next, ts_nsec, text, ring offset of the block)
    records = [
        (1, 2, 64, 96, 1234567890, b'hello\nworld', 64),
        (2, 1, 96, 120, 5000001000, b'tab\t\x01\xc3\xa9', 96),
        (3, 2, 120, 128 + 24, 0, b'wrapped', 0),
    ]
    for rid, state, begin, nxt, ts, text, off in records:
        slot = rid % (1 << count_bits)
        mem.put(descs + 24 * slot, struct.pack('<QQQ', rid | state << 62, begin, nxt))
        mem.put(infos + 88 * slot, struct.pack('<QQHBBI', rid, ts, len(text), 0, 0, 0))
        mem.put(data + off, struct.pack('<Q', rid) + text)
    mem.put(rb, struct.pack('<IIQQQQQ', count_bits, 0, descs, infos, 3, 1, 0))
    mem.put(rb + 48, struct.pack('<IIQQQ', size_bits, 0, data, 128 + 24, 64))
    lines = [
        'OSRELEASE=6.1.0-13-cloud-amd64',
        'SYMBOL(prb)=%x' % prb,
        'SIZE(printk_ringbuffer)=88',
        'OFFSET(printk_ringbuffer.desc_ring)=0',
        'OFFSET(printk_ringbuffer.text_data_ring)=48',
        'OFFSET(prb_desc_ring.count_bits)=0',
        'OFFSET(prb_desc_ring.descs)=8',
        'OFFSET(prb_desc_ring.infos)=16',
        'OFFSET(prb_desc_ring.head_id)=24',
        'OFFSET(prb_desc_ring.tail_id)=32',
        'SIZE(prb_desc)=24',
        'OFFSET(prb_desc.state_var)=0',
        'OFFSET(prb_desc.text_blk_lpos)=8',
        'OFFSET(prb_data_blk_lpos.begin)=0',
        'OFFSET(prb_data_blk_lpos.next)=8',
        'SIZE(printk_info)=88',
        'OFFSET(printk_info.ts_nsec)=8',
        'OFFSET(printk_info.text_len)=16',
        'OFFSET(printk_info.caller_id)=20',
        'OFFSET(prb_data_ring.size_bits)=0',
        'OFFSET(prb_data_ring.data)=8',
        'OFFSET(atomic_long_t.counter)=0',
    ]
    return seed(lines, mem)


def logbuf_seed():
    buf_len = 128
    mem = Memory()
    buf = mem.alloc(buf_len)
    syms = {name: mem.alloc(8) for name in
            ('log_buf', 'log_buf_len', 'log_first_idx', 'log_next_idx')}
    mem.put(syms['log_buf'], struct.pack('<Q', buf))
    mem.put(syms['log_buf_len'], struct.pack('<I', buf_len))
    mem.put(syms['log_first_idx'], struct.pack('<I', 64))
    mem.put(syms['log_next_idx'], struct.pack('<I', 32))

    def record(idx, ts, length, text):
        mem.put(buf + idx, struct.pack('<QHHHBB', ts, length, len(text), 0, 0, 6) + text)

    record(64, 2716049380, 32, b'first\nline')
    record(96, 0, 0, b'')  # end of buffer: continue at index 0
    record(0, 3000000000, 32, b'after\x1bwrap')
    lines = ['OSRELEASE=4.19.0-25-amd64']
    lines += ['SYMBOL(%s)=%x' % (name, addr) for name, addr in syms.items()]
    lines += ['SIZE(printk_log)=16', 'OFFSET(printk_log.ts_nsec)=0',
              'OFFSET(printk_log.len)=8', 'OFFSET(printk_log.text_len)=10',
              'OFFSET(printk_log.dict_len)=12']
    return seed(lines, mem)


def plain_seed():
    mem = Memory()
    buf = mem.alloc(64)
    syms = {name: mem.alloc(8) for name in ('log_buf', 'log_buf_len', 'log_end')}
    mem.put(buf, b'<6>Linux version 2.6.32\n<4>wrapped text at the start....\n'[:64])
    mem.put(syms['log_buf'], struct.pack('<Q', buf))
    mem.put(syms['log_buf_len'], struct.pack('<I', 64))
    mem.put(syms['log_end'], struct.pack('<I', 64 + 24))
    lines = ['OSRELEASE=2.6.32-754.el6.x86_64']
    lines += ['SYMBOL(%s)=%x' % (name, addr) for name, addr in syms.items()]
    return seed(lines, mem)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'corpus', 'printk')
    os.makedirs(outdir, exist_ok=True)
    for name, make in (('lockless-3-records', lockless_seed),
                       ('logbuf-wrapped', logbuf_seed),
                       ('plain-text-2.6.32', plain_seed)):
        with open(os.path.join(outdir, name), 'wb') as f:
            f.write(make())


if __name__ == '__main__':
    main()
