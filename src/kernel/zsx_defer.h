/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's ring park primitives (their contracts: the platform interface,
 * src/core/platform_concept.hpp, "deferred rings"), then the ring and its park
 * (defer_ring.h): what zsx_free_deferred() inlines. The rings are a per-CPU
 * allocation; the core hands their address around as a plain pointer.
 */
#ifndef ZSX_DEFER_H
#define ZSX_DEFER_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <asm/barrier.h>
#include "platform_abi.h"

#define ZSX_RING_PCPU(rings) ((struct zsx_defer_ring __percpu __force *)(rings))
#define ZSX_RING_ENTER() preempt_disable()
#define ZSX_RING_EXIT() preempt_enable()
#define ZSX_RING_THIS(rings) this_cpu_ptr(ZSX_RING_PCPU(rings))
/*
 * One IRQ-safe RMW of this CPU's head: xadd with a segment prefix on x86. On
 * arm64 this_cpu_inc_return() would turn preemption off and on again around
 * its atomic; it is off already (ZSX_RING_ENTER), so the atomic alone (one
 * LSE ldadd) on this CPU's word.
 */
#ifdef CONFIG_ARM64
#define ZSX_RING_RESERVE(rings)                                                                   \
	((unsigned long)atomic_long_inc_return_relaxed(                                           \
		 (atomic_long_t *)this_cpu_ptr(&ZSX_RING_PCPU(rings)->head)) -                    \
	 1)
#else
#define ZSX_RING_RESERVE(rings) (this_cpu_inc_return(ZSX_RING_PCPU(rings)->head) - 1)
#endif
#define ZSX_RING_LOAD(x) READ_ONCE(x)
/* the drainer's tail, read before a slot is reused: pairs with its release */
#define ZSX_RING_LOAD_ACQ(p) smp_load_acquire(p)
/* a slot filled: pairs with the drainer's acquire load of it */
#define ZSX_RING_STORE_REL(p, v) smp_store_release(p, v)
#define ZSX_RING_ARM(ring) zsx_plat_defer_arm(ring)
#define ZSX_RING_KICK(ring) zsx_plat_defer_kick(ring)
#include "defer_ring.h"

#endif
