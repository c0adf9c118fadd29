/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deferred freeing, the producer side: each CPU owns a ring of handles that
 * zsx_free_deferred() appends to with one this-CPU read-modify-write, no IRQ
 * flags saved and no call. Plain C, shared by the kernel platform (the inline
 * fast path in zsx_api.c), the hosted platform and the core (the consumer,
 * deferred.cpp). The protocol and its ordering argument: docs/design.md,
 * "Deferred freeing".
 *
 * The ring is data every side reads. The park is compiled where the includer
 * has defined its primitives first, ZSX_RING_*: the platform interface lists
 * them with their contracts (platform_concept.hpp, "deferred rings").
 */
#ifndef ZSX_DEFER_RING_H
#define ZSX_DEFER_RING_H

#include "zsx_kconst.h"

/* handles a producer that found its ring full frees itself (the oldest batch),
 * and the fewest per drain kick */
#define ZSX_DEFER_BATCH 64u
/* interrupt nesting on one CPU (task, softirq, hardirq): parks that can pass
 * the fullness test before any of them reserves */
#define ZSX_DEFER_NESTING 4u

struct zsx_plat_defer_cpu;

struct zsx_defer_ring {
	/* written on the owning CPU only (the producer, its low-water timer) */
	unsigned long head; /* slots reserved since creation */
	int timer_armed;    /* the low-water timer is pending (owning CPU only) */
	int cpu;
	unsigned long fallbacks;  /* task-context frees done synchronously (ring full) */
	unsigned long overflowed; /* parks above task_limit (contexts that may not lock) */
	unsigned long spilled;    /* handles that found even that full (the late-free slots) */
	unsigned long kept;       /* ... and the late-free slots full: freed at destroy */
	/* read-mostly; slot, scratch and plat exist once the ring's CPU was
	 * prepared (online at pool creation, or brought up since): plat, stored
	 * last with release, says so */
	unsigned long *slot; /* mask + 1 handles; 0: free, or reserved and not yet stored */
	unsigned long mask;
	/* a producer kicks the drainer when the slot it reserved is the last of a
	 * run of kick_mask + 1 (a power of two): the drainer then frees that many
	 * at once, several per class-lock hold */
	unsigned long kick_mask;
	unsigned long task_limit;        /* parked handles at which a task stops parking */
	unsigned long atomic_limit;      /* ... at which any context stops: mask + 1 - nesting */
	struct zsx_plat_defer_cpu *plat; /* the timer and the drain work of this ring */
	/* the consumers' sort space (DeferredFree::kScratchWords); after plat:
	 * the park reads slot and mask together (one load pair) */
	unsigned long *scratch;
	/*
	 * The consumer side. Handles are taken under the ring's take lock
	 * (zsx_plat_defer_take_lock): by the ring's drainer, a chunk at a time,
	 * or by a task that found the ring full and frees its oldest batch itself
	 * (a producer drain, its frees under the take lock too).
	 */
	unsigned long tail __attribute__((aligned(ZSX_K_CACHELINE)));
	/* written by the drainer alone (one work item: never concurrent with itself) */
	unsigned long drains, drained, classes_touched, longest_drain_ns, drain_ns;
	unsigned long holds, holds_over_budget, longest_hold_ns;
	unsigned int hold_limit; /* handles per class-lock hold now (Pool::HoldTally) */
	/* written under the take lock by producer drains */
	unsigned int producer_hold_limit;
	unsigned long producer_drains, producer_drained, producer_holds, producer_holds_over_budget,
		producer_longest_hold_ns;
};

#endif /* ZSX_DEFER_RING_H */

/* the park, once the includer has defined the primitives (this part may be
 * reached by a second inclusion, after them) */
#if defined(ZSX_RING_ENTER) && !defined(ZSX_DEFER_RING_PARK)
#define ZSX_DEFER_RING_PARK
#if !defined(ZSX_RING_EXIT) || !defined(ZSX_RING_THIS) || !defined(ZSX_RING_RESERVE) || !defined(ZSX_RING_LOAD) ||     \
	!defined(ZSX_RING_LOAD_ACQ) || !defined(ZSX_RING_STORE_REL) || !defined(ZSX_RING_ARM) ||                       \
	!defined(ZSX_RING_KICK)
#error "the platform lacks a ring park primitive (platform_concept.hpp, deferred rings)"
#endif
/*
 * Park handle in this CPU's ring if it holds fewer than limit handles (the
 * ring's task_limit, or atomic_limit for a caller that may not free
 * synchronously). 1: parked; 0: full, nothing done.
 *
 * The slot is reserved before the handle is stored: an interrupt on this CPU
 * between the two parks in the next slot and the drainer, meeting the empty
 * reserved slot, stops there until it is stored. The fullness test reads the
 * drainer's tail with acquire: the drainer zeroes slots before releasing tail,
 * so a slot reused here is already free. Preemption stays off from the test
 * to the store, so only nested interrupts (at most ZSX_DEFER_NESTING) can pass
 * the test together: atomic_limit leaves them room.
 */
static inline __attribute__((always_inline)) int zsx_defer_park(struct zsx_defer_ring *rings, unsigned long handle,
								int atomic_caller)
{
	struct zsx_defer_ring *r;
	unsigned long pos;
	int parked = 0;

	ZSX_RING_ENTER();
	r = ZSX_RING_THIS(rings);
	if (__builtin_expect(ZSX_RING_LOAD(r->head) - ZSX_RING_LOAD_ACQ(&r->tail) <
				     (atomic_caller ? r->atomic_limit : r->task_limit),
			     1)) {
		pos = ZSX_RING_RESERVE(rings);
		/* release: the caller's last accesses to the object come before its free */
		ZSX_RING_STORE_REL(&r->slot[pos & r->mask], handle);
		/* once per low-water period: a handle never waits much longer than it */
		if (__builtin_expect(!ZSX_RING_LOAD(r->timer_armed), 0))
			ZSX_RING_ARM(r);
		/* once per kick run: a complete run is drained now, on another CPU */
		if (__builtin_expect((pos & r->kick_mask) == r->kick_mask, 0))
			ZSX_RING_KICK(r);
		parked = 1;
	}
	ZSX_RING_EXIT();
	return parked;
}
#endif
