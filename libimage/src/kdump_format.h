/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* makedumpfile's kdump-compressed layout on x86_64 (REFERENCE.md 3). */
#ifndef S3IMG_KDUMP_FORMAT_H
#define S3IMG_KDUMP_FORMAT_H

#define KDUMP_SIGNATURE "KDUMP   "
#define KDUMP_SIG_LEN 8
#define KDUMP_HEADER_VERSION 6

/* Main header (block 0). */
#define KH_SIGNATURE 0
#define KH_VERSION 8
#define KH_UTSNAME 12
#define KH_TV_SEC 408
#define KH_TV_USEC 416
#define KH_STATUS 424
#define KH_BLOCK_SIZE 428
#define KH_SUB_HDR_SIZE 432
#define KH_BITMAP_BLOCKS 436
#define KH_MAX_MAPNR 440
#define KH_TOTAL_RAM_BLOCKS 444
#define KH_DEVICE_BLOCKS 448
#define KH_WRITTEN_BLOCKS 452
#define KH_CURRENT_CPU 456
#define KH_NR_CPUS 460
#define KH_SIZE 464

/* Sub header (block 1). */
#define KS_PHYS_BASE 0
#define KS_DUMP_LEVEL 8
#define KS_SPLIT 12
#define KS_START_PFN 16
#define KS_END_PFN 24
#define KS_OFFSET_VMCOREINFO 32
#define KS_SIZE_VMCOREINFO 40
#define KS_OFFSET_NOTE 48
#define KS_SIZE_NOTE 56
#define KS_OFFSET_ERASEINFO 64
#define KS_SIZE_ERASEINFO 72
#define KS_START_PFN_64 80
#define KS_END_PFN_64 88
#define KS_MAX_MAPNR_64 96
#define KS_SIZE 104

/* page_desc */
#define PD_OFFSET 0
#define PD_SIZE 8
#define PD_FLAGS 12
#define PD_PAGE_FLAGS 16
#define PD_LEN 24

#define KDUMP_STATUS_INCOMPLETE 0x8
#define KDUMP_STATUS_EXCLUDED_VMEMMAP 0x10
#define KDUMP_COMPRESS_MASK 0x27

/* Flattened stream. */
#define FLAT_SIGNATURE "makedumpfile"
#define FLAT_HEADER_SIZE 4096
#define FLAT_TYPE 1
#define FLAT_VERSION 1

#endif
