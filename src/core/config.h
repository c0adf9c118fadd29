/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zsx build geometry, shared by the C++ core, the C shim and the hosted tests.
 *
 * Plain C preprocessor only: in the kernel the values come from the CONFIG_*
 * symbols of the target kernel (kconfig.h is force-included for both C and C++
 * objects); the hosted build passes them with -D. src/kernel/geometry_check.c
 * proves at build time that they match the kernel's PAGE_SHIFT and
 * MAX_POSSIBLE_PHYSMEM_BITS.
 */
#ifndef ZSX_CONFIG_H
#define ZSX_CONFIG_H

#if defined(ZSX_HOSTED)
/* the hosted build sets ZSX_PAGE_SHIFT and ZSX_PHYS_BITS on the command line */
#elif defined(CONFIG_ARM64)
#ifdef CONFIG_PAGE_SHIFT /* every arch's symbol where the kernel has it, ARM64_PAGE_SHIFT before */
#define ZSX_PAGE_SHIFT CONFIG_PAGE_SHIFT
#else
#define ZSX_PAGE_SHIFT CONFIG_ARM64_PAGE_SHIFT
#endif
/* MAX_POSSIBLE_PHYSMEM_BITS: 52 on every arm64 kernel since 6.9 whatever
 * CONFIG_ARM64_PA_BITS says (48 on 6.1 without PA_BITS_52), as zsmalloc uses */
#define ZSX_PHYS_BITS 52
#elif defined(CONFIG_X86_64)
#define ZSX_PAGE_SHIFT 12
#define ZSX_PHYS_BITS 52 /* MAX_POSSIBLE_PHYSMEM_BITS: 5-level paging may be on */
#elif defined(CONFIG_X86_32) && defined(CONFIG_X86_PAE)
#define ZSX_PAGE_SHIFT 12
#define ZSX_PHYS_BITS 36
#elif defined(CONFIG_X86_32) || defined(CONFIG_ARM)
#define ZSX_PAGE_SHIFT 12
#define ZSX_PHYS_BITS 32
#else
#error "zsx: add this architecture's page shift and physical address bits"
#endif

#ifndef ZSX_LONG_BITS
#define ZSX_LONG_BITS (__SIZEOF_LONG__ * 8)
#endif

/* longest zspage chain (pages per zspage) the class table may choose; 4..16 */
#ifndef ZSX_CHAIN_SIZE
#define ZSX_CHAIN_SIZE 8
#endif
/* the largest chain any pool of this build may ask for (bounds the index field) */
#define ZSX_MAX_CHAIN_SIZE 16

/* ZSX_NARROW_OBJ=1: compile the obj layout without a class field (the 32-bit layout) */
#ifndef ZSX_NARROW_OBJ
#define ZSX_NARROW_OBJ 0
#endif

#endif
