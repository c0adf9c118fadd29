// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time proof that the geometry the C++ core was compiled with (config.h,
 * from CONFIG_* symbols only) is the target kernel's real geometry.
 */
#include <linux/build_bug.h>
#include <linux/mm.h>
#include <asm/sparsemem.h>
#include "config.h"
#include "core.h"

#ifndef MAX_POSSIBLE_PHYSMEM_BITS
#define MAX_POSSIBLE_PHYSMEM_BITS MAX_PHYSMEM_BITS
#endif

static_assert(ZSX_PAGE_SHIFT == PAGE_SHIFT, "core page shift differs from the kernel's");
static_assert(ZSX_PHYS_BITS >= MAX_POSSIBLE_PHYSMEM_BITS,
	      "core PFN field narrower than the kernel's");
static_assert(ZSX_LONG_BITS == BITS_PER_LONG, "core long size differs from the kernel's");
