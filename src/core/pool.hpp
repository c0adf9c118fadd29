// SPDX-License-Identifier: GPL-2.0
// The zsx pool: a zsmalloc-compatible allocator for compressed pages.
// The whole design (layouts, lock order incl. the page lock, zspage life
// cycle, migration, deferred freeing, memory model): docs/design.md.
//
// ---- Objects, zspages, classes --------------------------------------------
// A request of n bytes is served by the size class for n + handle-header bytes
// (geometry.hpp). A class owns zspages: chains of 1..chain pages carved into
// equal objects that may straddle a page boundary. A non-huge object starts with
// one word: handle | kAllocatedTag while allocated, (next free index) << 1 while
// free. A huge object fills its single page; its handle lives in the Zspage.
//
// ---- The obj value (obj_layout.hpp) ---------------------------------------
//     | PFN of the object's first page | class index | object index |
// (no class field on 32-bit or with ZSX_NARROW_OBJ=1). A handle is the address
// of a word holding the obj value. Compaction and migration rewrite the PFN of
// a handle only while holding the pool lock for write AND the class lock.
//
// ---- Lock order ------------------------------------------------------------
//     [ring take lock] -> pool->migrate_lock (rwlock) -> class->lock (spinlock) -> zspage mapped count
// - a deferred-freeing ring's take lock (deferred.cpp) is held around the frees
//   of a producer drain only; a drainer holds it for the take alone;
// - compaction and migration take migrate_lock for write, then class->lock;
// - map/read take migrate_lock for read just long enough to pin the zspage
//   (Zspage::mapped); migration and compaction never move a pinned zspage;
// - zsx_free, policy `base`: migrate_lock read -> class lock, drop migrate_lock;
// - zsx_free, policy `classidx`: class lock of the class encoded in obj, no pool
//   lock; the handle is re-read under the class lock (only its PFN can change,
//   and only under that same lock);
// - policy `classidx_unlocked_free` additionally returns the pages of an emptied
//   zspage after class->lock is dropped (the zspage is unlinked under the lock,
//   so nothing else can reach it).
// - alloc takes only the class lock; new zspages are allocated unlocked.
// - zspage metadata lifetime: a migration callback finds a zspage through
//   page->private while the VM holds that page's lock; a dead zspage's pages
//   are released (private cleared, movable flag dropped) under their page
//   locks before the metadata is freed, so no callback can still hold it and
//   no RCU grace period is needed (Plat::page_release_try/_blocking).
#pragma once

#include "atomic.hpp"
#include "core.h"
#include "geometry.hpp"
#include "obj_layout.hpp"
#include "platform.hpp"

namespace zsx {

enum class FreePolicy : u8 { base = 0, classidx = 1, classidx_unlocked_free = 2 };

struct ListNode {
	ListNode *prev = this, *next = this;
	void init() { prev = next = this; }
	bool empty() const { return next == this; }
	void add_head(ListNode *n)
	{
		n->next = next;
		n->prev = this;
		next->prev = n;
		next = n;
	}
	void unlink()
	{
		prev->next = next;
		next->prev = prev;
		init();
	}
};

// Fullness groups as mainline: 0 = empty, 1..10 = in-use ratio deciles
// (10 is 90..99%), 11 = full.
enum : unsigned { kGroupEmpty = 0, kGroupFull = 11, kNrGroups = 12 };

// The fewest objects in use of a zspage in group g (1..10) of a class with
// objs objects per zspage: ceil((g - 1) * objs / 10). Stored per class, so the
// fast paths regroup with compares instead of mainline's ratio division.
constexpr u16 group_min_of(unsigned g, u32 objs) { return u16(g <= 1 ? 1 : ((g - 1) * objs + 9) / 10); }
// The ratio definition the thresholds implement (tests and static_asserts only).
constexpr unsigned group_by_ratio(u32 inuse, u32 objs)
{
	return inuse == 0 ? kGroupEmpty : inuse >= objs ? kGroupFull : 100 * inuse / objs / 10 + 1;
}
static_assert(Geometry::max_objs_per_zspage <= 0xffff, "group thresholds are u16");
// The group of a zspage from its class's thresholds: compares only.
constexpr unsigned group_by_thresholds(const u16 (&group_min)[kGroupFull], u32 inuse, u32 objs)
{
	if (inuse == 0)
		return kGroupEmpty;
	if (inuse >= objs)
		return kGroupFull;
	unsigned g = kGroupFull - 1;
	while (inuse < group_min[g])
		--g;
	return g;
}

struct SizeClass;

// Zspage metadata comes from a cache per chain length (Plat::zspage_alloc):
// its page array has exactly nr_pages entries.
struct Zspage {
	// in class->groups[group]; first member. Once the zspage is dead (detached)
	// these 16 bytes belong to the platform (llist node of the slow release).
	ListNode node;
	SizeClass *cls;
	u32 inuse;     // allocated objects
	u32 free_head; // first free object index, kNoFree if none
	u32 mapped;    // readers between map and unmap (atomic)
	u8 group;
	u8 nr_pages;
	bool dead;                 // detached from its class, pages being released (under class lock)
	unsigned long huge_handle; // huge class: the handle of its one object
	Page *pages[];             // nr_pages of them

	static constexpr u32 kNoFree = ~u32(0);
	static constexpr usize bytes(unsigned nr_pages) { return sizeof(Zspage) + nr_pages * sizeof(Page *); }
	// the zspage whose list node n is (node is the first member)
	static Zspage *of(ListNode *n) { return reinterpret_cast<Zspage *>(n); }
};

class Pool;

// One cache line (or more) per class, its lock inside: classes never share a
// line, and the lock is on the line the critical section touches anyway.
struct alignas(kCacheLine) SizeClass {
	SpinLock lock;
	u32 size;
	u32 objs_per_zspage;
	u8 pages_per_zspage;
	bool huge;
	u16 index;
	// group_min[g]: the fewest objects in use of a zspage in group g (1..10):
	// ceil((g - 1) * objs / 10), so regrouping needs compares, not a division
	u16 group_min[kGroupFull];
	Pool *pool;
	ListNode groups[kNrGroups];
	// statistics, under lock
	unsigned long obj_allocated;
	unsigned long obj_used;
	unsigned long zspages[kNrGroups];
};

// Statistics are the C structs of core.h: the shim reads them as they are.
using PoolStats = struct ::zsx_core_pool_stats; // "struct": a function of that name exists
using ClassStats = struct ::zsx_core_class_stats;

class DeferredFree;

class Pool {
public:
	static constexpr unsigned long kAllocatedTag = 1;
	static constexpr usize kHandleSize = sizeof(unsigned long);

	// Construction is two-phase (no exceptions): create() returns nullptr on failure.
	// deferred_per_cpu: handles each CPU may park for zsx_free_deferred (0: deferred = off)
	static Pool *create(unsigned chain, FreePolicy policy, unsigned deferred_per_cpu, int *err);
	void destroy();

	unsigned long malloc(usize size, unsigned gfp, int nid);
	// path: the trace event's path (enum zsx_trace_free_path); -1 = this pool's policy
	void free(unsigned long handle, int path = -1);
	// the same, inlined into their extern "C" entry points in pool.cpp (no
	// call level between zsx_free()/zsx_malloc() and the allocator)
	unsigned long malloc_inline(usize size, unsigned gfp, int nid);
	void free_inline(unsigned long handle, int path);
	// what free_batch's class-lock holds were like (added to, never reset),
	// and how many handles the next hold may free: limit adapts to how long
	// holds take (halved when one took more than half the budget, doubled up
	// to hold_max when one took less than an eighth), so a slow kernel (KASAN,
	// lockdep) or a slow machine keeps holds under budget with no clock read
	// beyond the two that time each hold
	struct HoldTally {
		unsigned long runs;        // class runs (one or more holds each)
		unsigned long holds;       // class-lock holds
		unsigned long longest_ns;  // the longest hold
		unsigned long over_budget; // holds longer than kHoldBudgetNs
		unsigned limit;            // in/out: handles per hold (<= hold_max; 0: hold_max)
	};
	static constexpr unsigned long kHoldBudgetNs = 1000000; // the 1 ms a drainer's hold should stay under
	static constexpr unsigned kHoldMin = 8;
	// a hold checks for lock waiters and rescheduling every this many handles
	static constexpr unsigned kHoldCheck = 8;
	// free n handles grouped by class, at most hold_max per class-lock hold;
	// may_resched: the caller may sleep (a drainer), so free_batch reschedules
	// between holds; a producer draining its own ring may hold spinlocks.
	// scratch: free_batch_scratch_words(min(n, kFreeBatchMax)) words
	static constexpr unsigned long free_batch_scratch_words(unsigned n)
	{
		return n + ((Geometry::nr_classes + 2) * 4 + 3 * n * 2 + 7) / 8;
	}
	void free_batch(unsigned long *handles, unsigned n, unsigned long *scratch, unsigned hold_max, bool may_resched,
			HoldTally *tally);
	// handles sorted at once by free_batch: enough that a drain's class runs
	// are long (a real size mix spreads 256 handles over ~100 classes, and a
	// class-lock hold per 2-3 handles costs what the batching saves)
	static constexpr unsigned kFreeBatchMax = 1024;
	// free without waiting for a lock: false if the class lock is busy (or the
	// layout has no class field); true if freed or refused with a warning
	bool try_free(unsigned long handle, int path);
	DeferredFree *deferred() const { return deferred_; }
	void set_owner(void *owner) { owner_ = owner; }

	// ---- frees that cannot wait for a lock ----------------------------------
	// zsx_free_deferred on a pool without rings (deferred off, release-only,
	// or a ring with no room): in task context with IRQs and softirqs on the
	// object is freed now; otherwise (softirq, hardirq, IRQs or softirqs off)
	// it is freed now only if its class lock is free this instant (a trylock,
	// task context), else it goes into the late-free slots. Any context but NMI.
	void free_deferred_unbuffered(unsigned long handle);
	// any context: the handle into a free one of the pool's late-free slots
	// (a compare-and-swap, no allocation: an allocation in a hard interrupt
	// takes the slab's locks, which lockdep with PROVE_RAW_LOCK_NESTING, the
	// default on 7.x, rejects as PREEMPT_RT would), or with every slot taken
	// onto the overflow list (a node allocated without sleeping, where an
	// allocation may be made: not in a hard interrupt), freed by the pool's late-free work. False:
	// neither; the object stays allocated until the pool is destroyed
	// (warned, counted in late_kept).
	bool free_late(unsigned long handle);
	void flush_late(); // process context: every handle put in a slot before is freed

	// ---- debug handles (opt-in, for finding misuse) -------------------------
	// Debug pools' handles are two words (their own cache; other pools' are
	// one word, as zsmalloc's). Each live one carries live_tag() in word[1]; a free, map or read of a
	// handle that is already freed or belongs to another pool is refused with a
	// warning. Freed handles wait in a quarantine of kQuarantine before going
	// back to the platform, so a double free reads a tag, not freed memory.
	// word[1] is read only once word[0] names a page of this pool: a one-word
	// handle of another pool is refused from its obj, never read past its end.
	static constexpr unsigned kQuarantine = 1024;
	static constexpr unsigned long kFreedTag = ~0x5a4ul; // odd: no handle address
	bool set_debug();                                    // before the first malloc; false on -ENOMEM
	bool debug() const { return debug_; }
	// emptied zspages go to the platform's release worker instead of being
	// released by the freeing caller (pool option ZSX_DEFERRED_RELEASE)
	void set_release_deferred() { release_deferred_ = true; }
	unsigned long live_tag() const { return reinterpret_cast<unsigned long>(this) | 1; }
	// warns and returns false on misuse. map/read/write call it under
	// migrate_lock, where obj is stable (a live handle being migrated could
	// look foreign otherwise); frees need none (free_at's checks under the
	// class lock), only to tell a refusal apart (refuse)
	bool debug_check(unsigned long handle) const;
	bool quarantined(unsigned long handle) const;      // a freed handle still in the quarantine
	void refuse(unsigned long handle, int kind) const; // a refused free, warned
	void *owner() const { return owner_; }
	// a live object's class index for trace events (-1 where obj has no class field)
	int trace_class_of(unsigned long handle) const;

	// 6.1 API: map / unmap (mode: 0 RW, 1 RO, 2 WO)
	void *map(unsigned long handle, int mode);
	void unmap(unsigned long handle);
	// mainline API
	void *read_begin(unsigned long handle, usize mem_len, void *local_copy);
	void read_end(unsigned long handle, void *mem);
	void write(unsigned long handle, const void *mem, usize len);

	unsigned long compact();
	unsigned long compactable_pages() const;
	unsigned long total_pages() const { return load_relaxed(&pages_allocated_); }
	// as zs_huge_class_size() (see ClassTable::zs_huge_class_size)
	usize huge_class_size() const { return table_->zs_huge_class_size; }
	int class_index_of(usize size) const;
	unsigned nr_distinct_classes() const { return table_->nr_distinct; }
	bool class_stats(unsigned slot, ClassStats *out) const; // false for merged slots
	void stats(PoolStats *out) const;
	FreePolicy policy() const { return policy_; }
	unsigned chain() const { return table_->chain; }
	unsigned long objects_in_use() const;

	// movable_operations (the VM holds the page locks)
	static bool page_isolate(Page *page);
	static int page_migrate(Page *newpage, Page *page);
	static void page_putback(Page *page);
	static bool zspage_release_slow(Zspage *zs); // false: a page still locked, try later
	// back to the cache of its class's chain length (nr_pages is less for a zspage whose pages ran out)
	static void zspage_free_meta(Zspage *zs) { Plat::zspage_free(zs, zs->cls->pages_per_zspage); }

	// test hooks
	Page *handle_page(unsigned long handle);
	bool handle_location(unsigned long handle, unsigned long *pfn, unsigned *obj_idx, unsigned *class_idx);

private:
	struct ObjPlace;
	// the class serving a request of size bytes (1..max_alloc_size): the payload and the handle word
	SizeClass *class_for_request(usize size) const
	{
		return by_slot_[Geometry::slot_of_size(min_of(size + kHandleSize, Geometry::max_alloc_size))];
	}
	// the class obj's class field names; nullptr: none there (a corrupt handle)
	SizeClass *class_in_obj(unsigned long obj) const { return by_slot_[ObjLayout::class_of(obj)]; }
	struct ObjRef;
	ObjRef locate(SizeClass *cls, unsigned long obj) const;
	Page *page_of_pfn(unsigned long pfn) const;
	bool free_at(SizeClass *cls, const ObjRef &at, unsigned long handle, Zspage **empties);
	bool free_locked(SizeClass *cls, unsigned long handle, Zspage **empties);
	Zspage *zspage_of_obj(unsigned long obj) const;
	unsigned long page_tag_of(const Zspage *zs) const
	{
		return reinterpret_cast<unsigned long>(zs) ^ reinterpret_cast<unsigned long>(this);
	}
	// teardown steps of destroy()
	void destroy_classes();
	Zspage *detach_first_zspage(SizeClass *cls, bool *reported);
	void free_live_handles(const SizeClass *cls, Zspage *zs);
	void destroy_quarantine();
	Zspage *alloc_zspage(SizeClass *cls, unsigned gfp, int nid);
	void free_zspage_pages(Zspage *zs);
	// free every zspage of a chain of dead ones (linked through node.next); returns the count
	unsigned long release_chain(Zspage *chain);
	// a freed object's handle goes back to the platform (debug: via the quarantine)
	void release_handle(unsigned long handle);
	void release_handles(unsigned long *h, unsigned n);
	void quarantine_handle(unsigned long handle);
	void free_handle_word(unsigned long *h);
	void free_batch_sorted(unsigned long *h, unsigned n, unsigned long *scratch, unsigned hold_max,
			       bool may_resched, HoldTally *tally);
	void finish_free(unsigned long handle, const SizeClass *cls, Zspage *empties, int path);
	int migrate_locked(SizeClass *cls, Zspage *zs, Page *newpage, Page *page);
	void insert_zspage(SizeClass *cls, Zspage *zs);
	void move_to_group(SizeClass *cls, Zspage *zs, unsigned g);
	void regroup_after_alloc(SizeClass *cls, Zspage *zs);
	void regroup(SizeClass *cls, Zspage *zs);
	unsigned long obj_alloc(SizeClass *cls, Zspage *zs, unsigned long handle);
	void obj_free(SizeClass *cls, Zspage *zs, unsigned obj_idx);
	// the word a freed slot holds: the current free-list head (objs_per_zspage ends the list) << 1
	static unsigned long free_link(const SizeClass *cls, const Zspage *zs)
	{
		return (unsigned long)(zs->free_head == Zspage::kNoFree ? cls->objs_per_zspage : zs->free_head) << 1;
	}
	Zspage *detach_if_empty(SizeClass *cls, Zspage *zs);
	void copy_out(Zspage *zs, unsigned obj_idx, usize skip, void *dst, usize len);
	void copy_in(Zspage *zs, unsigned obj_idx, usize skip, const void *src, usize len);
	Zspage *pin_zspage(unsigned long handle, unsigned long *obj);
	unsigned long compact_class(SizeClass *cls);
	bool move_object(SizeClass *cls, Zspage *src, unsigned idx, Zspage *dst);
	static unsigned group_of(const SizeClass *cls, u32 inuse);
	void drain_late();
	// late frees between reschedule points (each object its own class-lock hold)
	static constexpr unsigned kLateRun = 64;
	// late-free slots per pool (8 KiB): a burst of frees from hard interrupts
	// on a pool without rings, until its work runs
	static constexpr unsigned kLateSlots = 1024;
	static_assert((kLateSlots & (kLateSlots - 1)) == 0, "slot search wraps with a mask");

	// read-mostly: set at creation
	const ClassTable *table_;
	FreePolicy policy_;
	bool debug_;
	bool release_deferred_;
	SizeClass *classes_; // nr_distinct of them, cache-line aligned
	void *classes_mem_;  // the allocation classes_ lives in
	void *self_mem_;     // the allocation this pool lives in
	DeferredFree *deferred_;
	struct zsx_plat_work *late_work_; // frees what the late-free slots hold (drain_late)
	void *owner_;                     // the shim's pool, for trace events
	SpinLock *quarantine_lock_;       // debug pools
	unsigned long *quarantine_;       // kQuarantine freed handles, oldest at quarantine_next_
	u32 quarantine_next_;
	// class of a class index read from obj: every value the field can hold
	// has an entry, nullptr where no class is (a corrupt handle)
	SizeClass *by_slot_[ObjLayout::has_class ? ObjLayout::max_class + 1 : Geometry::nr_classes];
	// written: apart from the read-mostly fields above
	alignas(kCacheLine) RwLock migrate_lock_;
	alignas(kCacheLine) unsigned long pages_allocated_; // atomic, once per zspage
	unsigned long pages_compacted_;                     // atomic
	unsigned long pages_migrated_;                      // atomic
	unsigned long freed_unlocked_, freed_locked_;       // atomic, once per emptied zspage
	// late frees: kLateSlots handles (0: a free slot), each put by a
	// compare-and-swap in any context and taken by an exchange in drain_late;
	// a put starts at late_hint_ (the slot after the last one put)
	alignas(kCacheLine) unsigned long *late_slots_;
	unsigned late_hint_;                   // relaxed: only a place to start
	struct LateNode *late_overflow_;       // release compare-and-swap pushes, taken whole
	unsigned long late_freed_, late_kept_; // atomic
};

// Errors travel as the kernel's ERR_PTR encoding of a handle.
constexpr unsigned long err_handle(int err) { return static_cast<unsigned long>(static_cast<long>(err)); }
constexpr bool is_err_or_null(unsigned long h) { return h == 0 || h >= static_cast<unsigned long>(-4095L); }

} // namespace zsx
