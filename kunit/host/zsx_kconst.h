/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hosted test platform's answer to the kernel's generated zsx_kconst.h
 * (src/kernel/kconst.c): sizes and offsets of the host's own page structs and
 * locks (proved by static_asserts in host_platform.cpp). ZSX_HOSTED_INLINE_MM
 * picks the memory model the core is built for: 1 = inline arithmetic on
 * zsx_plat_mm (as on SPARSEMEM_VMEMMAP kernels), 0 = out-of-line calls.
 */
#ifndef ZSX_KCONST_H
#define ZSX_KCONST_H

#define ZSX_K_PAGE_SIZEOF 128
#define ZSX_K_PAGE_PRIVATE 0
#define ZSX_K_PAGE_INDEX 8
#define ZSX_K_SPINLOCK_SIZE 40 /* pthread_mutex_t */
#define ZSX_K_SPINLOCK_ALIGN 8
#define ZSX_K_RWLOCK_SIZE 56 /* pthread_rwlock_t */
#define ZSX_K_RWLOCK_ALIGN 8
#define ZSX_K_CACHELINE 64
#ifndef ZSX_HOSTED_INLINE_MM
#define ZSX_HOSTED_INLINE_MM 1
#endif
#define ZSX_K_INLINE_MM ZSX_HOSTED_INLINE_MM
#define ZSX_K_RAW_SPIN_LOCK_CALL 0
#define ZSX_K_RAW_SPIN_UNLOCK_CALL 0
#define ZSX_K_RAW_SPIN_LOCK_BH_CALL 0
#define ZSX_K_RAW_SPIN_UNLOCK_BH_CALL 0
#define ZSX_K_GFP_KERNEL 0xcc0
#define ZSX_K_GFP_ATOMIC 0x2820
#define ZSX_K_GFP_ZONE_BITS 0xf

#endif
