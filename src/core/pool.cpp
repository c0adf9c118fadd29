// SPDX-License-Identifier: GPL-2.0
// zsx pool: allocation, the three free paths, object access, compaction.
// Design, obj layout and lock order: see the top of pool.hpp.
#include "pool.hpp"

#include "deferred.hpp"

namespace zsx {

namespace {

constexpr unsigned kPageShift = Geometry::page_shift;
constexpr usize kPageSize = Geometry::page_size;
constexpr usize kPageMask = kPageSize - 1;

// Per-CPU state of the one object a CPU may have mapped through map()/unmap()
// (6.1 semantics: mappings do not nest, preemption is off in between). It sits
// after the PAGE_SIZE bounce buffer in the platform's per-CPU area, which map()
// takes (Plat::cpu_buffer_get) and unmap() gives back: one get, one put.
struct CpuMapState {
	u8 *kaddr; // kmap'd page (object within one page), or nullptr (bounced)
	Zspage *zs;
	unsigned idx;
	int mode;
};
constexpr int kMapRW = 0, kMapRO = 1, kMapWO = 2;

static_assert(sizeof(CpuMapState) <= 64, "per-CPU map state fits the area's tail");
CpuMapState *cpu_state(void *area) { return reinterpret_cast<CpuMapState *>(static_cast<u8 *>(area) + kPageSize); }

// ---- decoding handles, objects and zspages (each written once) -------------

// The word a handle is the address of: it holds the object's obj value.
zsx_always_inline unsigned long *handle_word(unsigned long handle) { return reinterpret_cast<unsigned long *>(handle); }
zsx_always_inline unsigned long obj_of_handle(unsigned long handle) { return load_relaxed(handle_word(handle)); }

// The bytes before an object's payload: its handle word (none for a huge
// object, whose handle is in the zspage); the payload is the rest.
zsx_always_inline usize header_bytes(const SizeClass *cls) { return cls->huge ? 0 : Pool::kHandleSize; }
zsx_always_inline usize payload_bytes(const SizeClass *cls) { return cls->size - header_bytes(cls); }

// Object idx's offset in its zspage, and the page an offset in a zspage falls in.
zsx_always_inline usize obj_offset(const SizeClass *cls, unsigned idx) { return usize(idx) * cls->size; }
zsx_always_inline Page *page_at(const Zspage *zs, usize off) { return zs->pages[off >> kPageShift]; }

// The first word of a non-huge object, mapped while this lives: handle |
// kAllocatedTag while allocated, (next free index) << 1 while free.
class ObjHeader {
public:
	ObjHeader(Page *page, usize off_in_page)
		: map_(page), word_(reinterpret_cast<unsigned long *>(map_.addr() + off_in_page))
	{}
	ObjHeader(const Zspage *zs, unsigned idx)
		: ObjHeader(page_at(zs, obj_offset(zs->cls, idx)), obj_offset(zs->cls, idx) & kPageMask)
	{}
	unsigned long load() const { return load_relaxed(word_); }
	void store(unsigned long v) const { store_relaxed(word_, v); }

private:
	PageMap map_;
	unsigned long *word_;
};

// Class lock held: the handle of the object in slot idx, 0 if the slot is free.
unsigned long handle_in_slot(const SizeClass *cls, const Zspage *zs, unsigned idx)
{
	if (cls->huge)
		return zs->huge_handle;
	unsigned long word = ObjHeader(zs, idx).load();
	return word & Pool::kAllocatedTag ? word & ~Pool::kAllocatedTag : 0;
}

// An object copy goes out of its zspage into a buffer, or in from one.
enum class Copy : bool { out, in };
template <Copy D> struct CopyBuf {
	using ptr = void *;
	using bytes = u8 *;
};
template <> struct CopyBuf<Copy::in> {
	using ptr = const void *;
	using bytes = const u8 *;
};

// n bytes at off_in_page of page, to or from buf (mapped for the copy only)
template <Copy D>
zsx_always_inline void copy_page_part(Page *page, usize off_in_page, typename CopyBuf<D>::ptr buf, usize n)
{
	PageMap m(page);
	if constexpr (D == Copy::out)
		copy_bytes(buf, m.addr() + off_in_page, n);
	else
		copy_bytes(m.addr() + off_in_page, buf, n);
}

// len bytes of object idx from byte skip on, to or from buf; an object may
// straddle two pages (Pool::copy_out and Pool::copy_in)
template <Copy D>
zsx_always_inline void copy_obj(const Zspage *zs, unsigned idx, usize skip, typename CopyBuf<D>::ptr buf, usize len)
{
	usize off = obj_offset(zs->cls, idx) + skip;
	usize first = min_of(len, kPageSize - (off & kPageMask));
	copy_page_part<D>(page_at(zs, off), off & kPageMask, buf, first);
	if (first < len)
		copy_page_part<D>(zs->pages[(off >> kPageShift) + 1], 0,
				  static_cast<typename CopyBuf<D>::bytes>(buf) + first, len - first);
}

// Ends what Pool::pin_zspage began (release: the reader's accesses to the
// object come before a mover sees it unpinned).
zsx_always_inline void unpin(Zspage *zs) { sub_release(&zs->mapped, 1u); }

// A dead zspage's list node belongs to whoever detached it: chains of dead
// zspages (for Pool::release_chain) go through node.next.
zsx_always_inline void push_dead(Zspage **chain, Zspage *zs)
{
	zs->node.next = reinterpret_cast<ListNode *>(*chain);
	*chain = zs;
}

// Class lock held: the fullest zspage of cls that has a free slot, or nullptr;
// a zspage already chosen (malloc's fresh one) is taken as it is. (This loop
// shape is malloc's fast path: an early return compiles to more instructions.)
zsx_always_inline Zspage *fullest_with_room(SizeClass *cls, Zspage *chosen = nullptr)
{
	Zspage *zs = chosen;
	for (unsigned grp = kGroupFull - 1; !zs && grp > kGroupEmpty; --grp)
		if (!cls->groups[grp].empty())
			zs = Zspage::of(cls->groups[grp].next);
	return zs;
}

} // namespace

// ---- creation and teardown ------------------------------------------------

namespace {
// cache-line aligned zeroed memory; *mem receives what to free
// large: more than a page or two (the class array, ~100 cache lines and
// more): not necessarily physically contiguous (Plat::zalloc_large)
void *zalloc_aligned(usize bytes, void **mem, bool large = false)
{
	*mem = large ? Plat::zalloc_large(bytes + kCacheLine - 1, -1)
		     : Plat::zalloc(bytes + kCacheLine - 1, kGfpKernel);
	if (!*mem)
		return nullptr;
	auto p = (reinterpret_cast<uptr>(*mem) + kCacheLine - 1) & ~uptr(kCacheLine - 1);
	return reinterpret_cast<void *>(p);
}
} // namespace

Pool *Pool::create(unsigned chain, FreePolicy policy, unsigned deferred_per_cpu, int *err)
{
	const ClassTable *table = kClassTables.get(chain);
	if (!table) {
		*err = kEINVAL;
		return nullptr;
	}
	if (policy != FreePolicy::base && !ObjLayout::has_class) {
		// the class index is not in obj on this build: only the pool-locked path works
		*err = kEOPNOTSUPP;
		return nullptr;
	}
	*err = kENOMEM;
	void *mem;
	auto *pool = static_cast<Pool *>(zalloc_aligned(sizeof(Pool), &mem));
	if (!pool)
		return nullptr;
	pool->self_mem_ = mem;
	pool->table_ = table;
	pool->policy_ = policy;
	pool->migrate_lock_.init();
	pool->classes_ = static_cast<SizeClass *>(
		zalloc_aligned(sizeof(SizeClass) * table->nr_distinct, &pool->classes_mem_, true));
	if (!pool->classes_)
		goto fail;
	{
		unsigned k = 0;
		// canonical classes first (a merged slot points at a larger canonical one)
		for (int s = int(Geometry::nr_classes) - 1; s >= 0; --s) {
			const ClassInfo &ci = table->slot[s];
			if (ci.index != unsigned(s))
				continue;
			SizeClass *cls = &pool->classes_[k++];
			cls->lock.init();
			for (auto &g : cls->groups)
				g.init();
			cls->size = ci.size;
			cls->objs_per_zspage = ci.objs;
			cls->pages_per_zspage = ci.pages;
			cls->huge = ci.huge;
			cls->index = ci.index;
			cls->pool = pool;
			for (unsigned g = 1; g < kGroupFull; ++g)
				cls->group_min[g] = group_min_of(g, ci.objs);
			pool->by_slot_[s] = cls;
		}
		for (unsigned s = 0; s < Geometry::nr_classes; ++s)
			pool->by_slot_[s] = pool->by_slot_[table->slot[s].index];
	}
	pool->late_slots_ = static_cast<unsigned long *>(Plat::zalloc(kLateSlots * sizeof(unsigned long), kGfpKernel));
	if (!pool->late_slots_)
		goto fail;
	pool->late_work_ = Plat::work_new([](void *arg) { static_cast<Pool *>(arg)->drain_late(); }, pool);
	if (!pool->late_work_)
		goto fail;
	if (deferred_per_cpu) {
		pool->deferred_ = DeferredFree::create(pool, deferred_per_cpu, err);
		if (!pool->deferred_)
			goto fail;
	}
	*err = kOk;
	return pool;
fail:
	pool->destroy();
	return nullptr;
}

// Teardown, each step after what still uses it: parked frees (they free
// objects), then the classes with every zspage (process context: it
// reschedules between zspages), the pool lock, the debug quarantine.
void Pool::destroy()
{
	if (deferred_)
		deferred_->destroy(); // flushes: parked handles are freed first
	if (late_work_) {
		flush_late();
		Plat::work_delete(late_work_);
	}
	Plat::free(late_slots_); // empty: flushed, or never pushed to
	if (classes_)
		destroy_classes();
	migrate_lock_.destroy();
	destroy_quarantine();
	Plat::free(self_mem_);
}

void Pool::destroy_classes()
{
	bool reported = false; // live objects left: said once per pool
	for (unsigned k = 0; k < table_->nr_distinct; ++k) {
		SizeClass *cls = &classes_[k];
		if (!cls->pool)
			continue; // creation failed before this class was set up
		while (Zspage *zs = detach_first_zspage(cls, &reported)) {
			release_chain(zs);
			Plat::cond_resched();
		}
	}
	// the slow releases still hold zspages whose classes are about to go
	Plat::flush_deferred_releases();
	for (unsigned k = 0; k < table_->nr_distinct; ++k)
		if (classes_[k].pool)
			classes_[k].lock.destroy();
	Plat::free_large(classes_mem_);
}

// Teardown: a zspage of cls detached and dead (a chain of one for
// release_chain), the handles of its live objects freed; nullptr once cls has
// none. Under both locks, as migration takes them: a page
// the VM isolated earlier may still be migrated while the pool goes. One
// zspage per hold, so the caller can reschedule between them.
Zspage *Pool::detach_first_zspage(SizeClass *cls, bool *reported)
{
	WriteGuard pg(migrate_lock_);
	SpinGuard g(cls->lock);
	Zspage *zs = nullptr;
	for (unsigned grp = 0; !zs && grp < kNrGroups; ++grp)
		if (!cls->groups[grp].empty())
			zs = Zspage::of(cls->groups[grp].next);
	if (!zs)
		return nullptr;
	if (zs->inuse && !*reported) {
		Plat::report("destroying a pool with live objects (freeing them): class size, objects", cls->size,
			     zs->inuse);
		*reported = true;
	}
	cls->obj_used -= zs->inuse;
	free_live_handles(cls, zs);
	zs->inuse = 0; // every object goes with the pool
	// the class's counters follow each zspage out, as a free's would: destroy
	// drops the locks between zspages and the stats stay true meanwhile
	zs = detach_if_empty(cls, zs);
	zs->node.next = nullptr;
	return zs;
}

// Teardown, both locks held: the handle of every live object of zs back to
// its cache, so nothing leaks.
void Pool::free_live_handles(const SizeClass *cls, Zspage *zs)
{
	for (unsigned i = 0; zs->inuse && i < cls->objs_per_zspage; ++i) {
		if (unsigned long h = handle_in_slot(cls, zs, i)) {
			free_handle_word(handle_word(h));
			zs->inuse--;
		}
	}
}

// debug pools: the quarantined handles back to their cache, then the quarantine
void Pool::destroy_quarantine()
{
	if (quarantine_) {
		for (unsigned i = 0; i < kQuarantine; ++i)
			if (quarantine_[i])
				Plat::handle_free_debug(handle_word(quarantine_[i]));
		Plat::free(quarantine_);
	}
	if (quarantine_lock_) {
		quarantine_lock_->destroy();
		Plat::free(quarantine_lock_);
	}
}

// ---- zspages ----------------------------------------------------------------

unsigned Pool::group_of(const SizeClass *cls, u32 inuse)
{
	return group_by_thresholds(cls->group_min, inuse, cls->objs_per_zspage);
}

void Pool::insert_zspage(SizeClass *cls, Zspage *zs)
{
	zs->group = u8(group_of(cls, zs->inuse));
	cls->groups[zs->group].add_head(&zs->node);
	cls->zspages[zs->group]++;
}

void Pool::move_to_group(SizeClass *cls, Zspage *zs, unsigned g)
{
	zs->node.unlink();
	cls->zspages[zs->group]--;
	zs->group = u8(g);
	cls->groups[g].add_head(&zs->node);
	cls->zspages[g]++;
}

// one more object in use: the group can only rise, usually not at all
zsx_always_inline void Pool::regroup_after_alloc(SizeClass *cls, Zspage *zs)
{
	unsigned g = zs->group;
	if (zs->inuse >= cls->objs_per_zspage) {
		g = kGroupFull;
	} else {
		while (g < kGroupFull - 1 && zs->inuse >= cls->group_min[g + 1])
			++g;
	}
	if (zsx_unlikely(g != zs->group))
		move_to_group(cls, zs, g);
}

// any change of inuse (compaction, frees): compares only
void Pool::regroup(SizeClass *cls, Zspage *zs)
{
	unsigned g = group_of(cls, zs->inuse);
	if (g != zs->group)
		move_to_group(cls, zs, g);
}

Zspage *Pool::alloc_zspage(SizeClass *cls, unsigned gfp, int nid)
{
	const unsigned nr = cls->pages_per_zspage;
	auto *zs = static_cast<Zspage *>(Plat::zspage_alloc(nr, gfp));
	if (!zs)
		return nullptr;
	zs->node.init();
	zs->cls = cls;
	for (unsigned i = 0; i < nr; ++i) {
		Page *p = Plat::page_alloc(gfp, nid);
		if (!p) {
			zs->dead = true;
			add_relaxed(&pages_allocated_, (unsigned long)zs->nr_pages); // free_zspage_pages subtracts them
			free_zspage_pages(zs);
			return nullptr;
		}
		zs->pages[i] = p;
		zs->nr_pages = u8(i + 1);
	}
	add_relaxed(&pages_allocated_, (unsigned long)nr);
	// free list: each free object's first word holds (next free index) << 1;
	// index objs_per_zspage ends the list. Huge objects have no header. One
	// mapping per page, each header of that page written through it.
	zs->free_head = 0;
	if (!cls->huge) {
		const usize size = cls->size;
		unsigned idx = 0;
		for (unsigned i = 0; i < nr; ++i) {
			PageMap m(zs->pages[i]);
			const usize page_end = usize(i + 1) << kPageShift;
			for (usize off = usize(idx) * size; idx < cls->objs_per_zspage && off < page_end; off += size) {
				++idx;
				*reinterpret_cast<unsigned long *>(m.addr() + (off & kPageMask)) = (unsigned long)idx
					<< 1;
			}
		}
	}
	// only a fully initialised zspage is visible to the migration callbacks
	for (unsigned i = 0; i < nr; ++i) {
		Plat::page_set_owner(zs->pages[i], zs, page_tag_of(zs));
		Plat::page_make_movable(zs->pages[i], gfp);
	}
	return zs;
}

// Release the pages of a dead zspage (detached under its class lock, no
// objects). A page the VM is migrating right now (page lock held) is handed,
// with its zspage, to the release worker, which tries again later. The
// metadata is freed once every page is released under its page lock: the
// migration callbacks only reach a zspage through a page whose lock the VM
// holds (see the lock order at the top of pool.hpp), so no RCU grace period
// is needed. The pool counts a page until it is released.
void Pool::free_zspage_pages(Zspage *zs)
{
	static_assert(Geometry::max_chain <= 32, "pages_release reports busy pages in 32 bits");
	unsigned busy = 0; // counted on the rare path only
	if (zsx_likely(!release_deferred_)) {
		unsigned mask = Plat::pages_release(zs->pages, zs->nr_pages);
		for (unsigned i = 0; i < zs->nr_pages; ++i) {
			if (zsx_likely(!(mask & (1u << i))))
				zs->pages[i] = nullptr;
			else
				busy++;
		}
	} else {
		// every page to the release worker, as busy ones
		for (unsigned i = 0; i < zs->nr_pages; ++i)
			Plat::page_set_owner(zs->pages[i], nullptr, 0);
		busy = zs->nr_pages;
	}
	if (zsx_likely(busy < zs->nr_pages))
		__atomic_sub_fetch(&pages_allocated_, (unsigned long)(zs->nr_pages - busy), __ATOMIC_RELAXED);
	if (zsx_unlikely(busy))
		Plat::defer_zspage_release(zs);
	else
		zspage_free_meta(zs);
}

// The release worker's part: never sleeps on a page lock (it runs on a
// memory-reclaim workqueue, and the VM may hold a page locked for a while).
// True: every page released and the metadata freed; false: some page is
// still locked, the worker tries again later.
bool Pool::zspage_release_slow(Zspage *zs)
{
	unsigned released = 0, left = 0;
	for (unsigned i = 0; i < zs->nr_pages; ++i) {
		if (!zs->pages[i])
			continue;
		if (Plat::page_release_try(zs->pages[i])) {
			zs->pages[i] = nullptr;
			released++;
		} else {
			left++;
		}
	}
	if (released)
		__atomic_sub_fetch(&zs->cls->pool->pages_allocated_, (unsigned long)released, __ATOMIC_RELAXED);
	if (left)
		return false;
	zspage_free_meta(zs);
	return true;
}

zsx_always_inline Page *Pool::page_of_pfn(unsigned long pfn) const
{
	// debug pools also reject a PFN in a memory hole (pfn_valid)
	return zsx_unlikely(debug_) ? Plat::pfn_to_page_checked(pfn) : Plat::pfn_to_page(pfn);
}

// The zspage of an object, or nullptr when its page is not a zsx page of this
// pool: the tag in page->index is checked before page->private is followed.
Zspage *Pool::zspage_of_obj(unsigned long obj) const
{
	Page *page = page_of_pfn(ObjLayout::pfn_of(obj));
	if (zsx_unlikely(!page))
		return nullptr;
	auto *zs = static_cast<Zspage *>(Plat::page_owner(page));
	if (zsx_unlikely(!zs || Plat::page_tag(page) != page_tag_of(zs)))
		return nullptr;
	return zs;
}

// ---- objects ----------------------------------------------------------------

zsx_always_inline unsigned long Pool::obj_alloc(SizeClass *cls, Zspage *zs, unsigned long handle)
{
	unsigned idx = zs->free_head;
	usize off = obj_offset(cls, idx);
	Page *page = page_at(zs, off);
	if (cls->huge) {
		zs->huge_handle = handle;
		zs->free_head = Zspage::kNoFree;
	} else {
		ObjHeader header(page, off & kPageMask);
		unsigned long next = header.load() >> 1;
		zs->free_head = next >= cls->objs_per_zspage ? Zspage::kNoFree : u32(next);
		header.store(handle | kAllocatedTag);
	}
	zs->inuse++;
	cls->obj_used++; // read without the lock (class_freeable_pages): an aligned word
	return ObjLayout::encode(Plat::page_to_pfn(page), cls->index, idx);
}

void Pool::obj_free(SizeClass *cls, Zspage *zs, unsigned idx)
{
	if (cls->huge)
		zs->huge_handle = 0;
	else
		ObjHeader(zs, idx).store(free_link(cls, zs));
	zs->free_head = idx;
	zs->inuse--;
	cls->obj_used--;
}

Zspage *Pool::detach_if_empty(SizeClass *cls, Zspage *zs)
{
	if (zs->inuse) {
		regroup(cls, zs);
		return nullptr;
	}
	zs->node.unlink();
	zs->dead = true;
	cls->zspages[zs->group]--;
	cls->obj_allocated -= cls->objs_per_zspage;
	return zs;
}

zsx_always_inline unsigned long Pool::malloc_inline(usize size, unsigned gfp, int nid)
{
	if (zsx_unlikely(size == 0 || size > Geometry::max_alloc_size))
		return err_handle(kEINVAL);
	unsigned long *handle;
	if (zsx_likely(!debug_)) {
		handle = Plat::handle_alloc(gfp);
	} else {
		// debug pools' handles carry a tag word after the obj word
		handle = Plat::handle_alloc_debug(gfp);
		if (handle)
			store_relaxed(&handle[1], live_tag());
	}
	if (zsx_unlikely(!handle))
		return err_handle(kENOMEM);
	SizeClass *cls = class_for_request(size);
	auto h = reinterpret_cast<unsigned long>(handle);
	Zspage *fresh = nullptr;

	for (;;) {
		{
			SpinGuard g(cls->lock);
			// fullest non-full zspage first: keeps zspages dense
			Zspage *zs = fullest_with_room(cls, fresh);
			if (zs) {
				// the handle word is written under the class lock: compaction may
				// move the object as soon as the lock drops and must see it
				store_relaxed(handle, obj_alloc(cls, zs, h));
				if (zs == fresh) {
					cls->obj_allocated += cls->objs_per_zspage;
					insert_zspage(cls, zs);
				} else {
					regroup_after_alloc(cls, zs);
				}
				break;
			}
		}
		// no room: a new zspage, allocated without the lock, taken on the next pass
		fresh = alloc_zspage(cls, gfp, nid);
		if (zsx_unlikely(!fresh)) {
			free_handle_word(handle);
			return err_handle(kENOMEM);
		}
	}
	if (Plat::tracing())
		Plat::trace_malloc(owner_, size, cls->index, h);
	return h;
}

bool Pool::set_debug()
{
	quarantine_lock_ = static_cast<SpinLock *>(Plat::zalloc(sizeof(SpinLock), kGfpKernel));
	if (quarantine_lock_)
		quarantine_lock_->init();
	quarantine_ = static_cast<unsigned long *>(Plat::zalloc(kQuarantine * sizeof(unsigned long), kGfpKernel));
	debug_ = quarantine_lock_ && quarantine_;
	return debug_;
}

bool Pool::debug_check(unsigned long handle) const
{
	// Only this pool's handles are two words: word[1] is read once word[0]
	// names a page of this pool (a handle it made; freed ones keep their obj
	// while quarantined). Anything else is refused from word[0] alone.
	unsigned long obj = obj_of_handle(handle);
	if (zsx_unlikely(!zspage_of_obj(obj))) {
		Plat::warn(owner_, quarantined(handle) ? ZSX_MISUSE_FREED_HANDLE : ZSX_MISUSE_FOREIGN_HANDLE, handle,
			   obj);
		return false;
	}
	unsigned long tag = load_relaxed(&handle_word(handle)[1]);
	if (zsx_likely(tag == live_tag()))
		return true;
	Plat::warn(owner_, tag == kFreedTag ? ZSX_MISUSE_FREED_HANDLE : ZSX_MISUSE_FOREIGN_HANDLE, handle, tag);
	return false;
}

zsx_always_inline void Pool::release_handle(unsigned long handle)
{
	if (zsx_likely(!debug_))
		Plat::handle_free(handle_word(handle));
	else
		quarantine_handle(handle);
}

// a handle word back to its cache, bypassing the quarantine (teardown, errors)
void Pool::free_handle_word(unsigned long *h)
{
	if (debug_)
		Plat::handle_free_debug(h);
	else
		Plat::handle_free(h);
}

// A free the pool refused (not a live object of this pool whose slot names
// the handle): said as what it is. Debug pools tell a freed handle and
// another pool's apart (debug_check; the obj may be stale by now, which
// only picks the text: the refusal was decided under the class lock).
void Pool::refuse(unsigned long handle, int kind) const
{
	if (debug_ && !debug_check(handle))
		return; // warned
	Plat::warn(owner_, kind, handle, load_relaxed(handle_word(handle)));
}

// the refusal path of debug_check: a freed handle whose zspage is gone too.
// No lock (debug_check runs with a class lock or migrate_lock held): the
// answer only picks the warning's text.
bool Pool::quarantined(unsigned long handle) const
{
	for (unsigned i = 0; i < kQuarantine; ++i)
		if (load_relaxed(&quarantine_[i]) == handle)
			return true;
	return false;
}

void Pool::quarantine_handle(unsigned long handle)
{
	store_relaxed(&handle_word(handle)[1], kFreedTag);
	unsigned long evict;
	{
		SpinGuard g(*quarantine_lock_);
		evict = quarantine_[quarantine_next_];
		store_relaxed(&quarantine_[quarantine_next_], handle);
		quarantine_next_ = (quarantine_next_ + 1) % kQuarantine;
	}
	if (evict)
		Plat::handle_free_debug(handle_word(evict));
}

int Pool::trace_class_of(unsigned long handle) const
{
	if constexpr (ObjLayout::has_class) {
		const SizeClass *cls = class_in_obj(obj_of_handle(handle));
		return cls ? cls->index : -1;
	}
	return -1;
}

// Where an object's header word is: its page (the PFN in obj) and the offset
// in that page. Computed under the class lock from the handle read there (a
// free's lockless read only names the class: Pool::free_inline).
struct Pool::ObjRef {
	unsigned long obj;
	Page *page; // nullptr: the PFN is not memory
	usize off;  // header offset within page
	unsigned idx;
};

zsx_always_inline Pool::ObjRef Pool::locate(SizeClass *cls, unsigned long obj) const
{
	unsigned idx = ObjLayout::index_of(obj);
	return ObjRef{obj, page_of_pfn(ObjLayout::pfn_of(obj)), obj_offset(cls, idx) & kPageMask, idx};
}

// class->lock held: free the object at `at`; an emptied zspage is detached
// and either freed here (policies base/classidx) or chained on *empties for
// release after the lock is dropped (classidx_unlocked_free). False: not a
// live object of cls (nothing was changed).
zsx_always_inline bool Pool::free_at(SizeClass *cls, const ObjRef &at, unsigned long handle, Zspage **empties)
{
	if (zsx_unlikely(!at.page))
		return false;
	auto *zs = static_cast<Zspage *>(Plat::page_owner(at.page));
	// the tag is checked before zs is followed: a foreign page's private is not ours to read
	if (zsx_unlikely(!zs || Plat::page_tag(at.page) != page_tag_of(zs) || zs->cls != cls || zs->inuse == 0 ||
			 at.idx >= cls->objs_per_zspage))
		return false;
	// The slot must name this handle (the line is written next anyway): a
	// second free of a handle finds a free-list link there and is refused,
	// so a double free can never put a slot on the free list twice.
	if (cls->huge) {
		if (zsx_unlikely(zs->huge_handle != handle))
			return false;
		zs->huge_handle = 0;
	} else {
		ObjHeader header(at.page, at.off);
		if (zsx_unlikely(header.load() != (handle | kAllocatedTag)))
			return false;
		header.store(free_link(cls, zs));
	}
	zs->free_head = at.idx;
	cls->obj_used--;
	if (zsx_likely(--zs->inuse)) {
		// one object fewer: the group can only fall, usually not at all
		if (zsx_unlikely(zs->group == kGroupFull || zs->inuse < cls->group_min[zs->group]))
			regroup(cls, zs);
		return true;
	}
	Zspage *empty = detach_if_empty(cls, zs);
	if (policy_ == FreePolicy::classidx_unlocked_free) {
		push_dead(empties, empty);
	} else {
		if (Plat::tracing())
			Plat::trace_zspage_free(owner_, cls->index, empty->nr_pages, 1);
		free_zspage_pages(empty);
		add_relaxed(&freed_locked_, 1ul);
	}
	return true;
}

// class->lock held: the handle is read here, under the lock (batch drains)
zsx_always_inline bool Pool::free_locked(SizeClass *cls, unsigned long handle, Zspage **empties)
{
	return free_at(cls, locate(cls, obj_of_handle(handle)), handle, empties);
}

unsigned long Pool::release_chain(Zspage *chain)
{
	unsigned long n = 0;
	while (chain) {
		Zspage *next = Zspage::of(chain->node.next);
		if (Plat::tracing())
			Plat::trace_zspage_free(owner_, chain->cls->index, chain->nr_pages, 0);
		free_zspage_pages(chain);
		chain = next;
		n++;
	}
	return n;
}

zsx_always_inline void Pool::free_inline(unsigned long handle, int path)
{
	if (zsx_unlikely(is_err_or_null(handle)))
		return;
	unsigned long *word = handle_word(handle);
	Zspage *empties = nullptr;
	SizeClass *cls = nullptr;
	bool ok = false;
	// Debug pools need no check of their own here: free_at accepts only a
	// live object of this pool whose slot names the handle (a quarantined
	// handle's slot no longer does); a refusal is then told apart below.
	if (ObjLayout::has_class && policy_ != FreePolicy::base) {
		// Without the pool lock: the class field never changes for a live
		// object, only the PFN and index do (compaction, migration), and only
		// under this class's lock. So a lockless read names the class, and
		// the object is located from the handle read again under its lock.
		cls = class_in_obj(load_relaxed(word));
		if (zsx_likely(cls)) {
			SpinGuard g(cls->lock);
			ok = free_at(cls, locate(cls, load_relaxed(word)), handle, &empties);
		}
	} else {
		// base: the pool lock keeps migration and compaction away while the
		// class is found through the zspage; it is handed over to the class
		// lock (taken first, as the lock order wants)
		ReadGuard pg(migrate_lock_);
		Zspage *zs = zspage_of_obj(load_relaxed(word));
		if (zsx_likely(zs)) {
			cls = zs->cls;
			SpinGuard g(cls->lock);
			pg.unlock();
			ok = free_at(cls, locate(cls, load_relaxed(word)), handle, &empties);
		}
	}
	if (zsx_unlikely(!ok)) {
		refuse(handle, ZSX_MISUSE_FREE_NOT_LIVE);
		return;
	}
	finish_free(handle, cls, empties, path < 0 ? int(policy_) : path);
}

// after the class lock: the handle word, the trace event, emptied zspages
zsx_always_inline void Pool::finish_free(unsigned long handle, const SizeClass *cls, Zspage *empties, int path)
{
	release_handle(handle);
	if (Plat::tracing())
		Plat::trace_free(owner_, handle, cls->index, path);
	// unlinked under the lock with no objects: unreachable by anyone else
	if (empties) // rare: keep the common free free of atomic read-modify-writes
		add_relaxed(&freed_unlocked_, release_chain(empties));
}

// A free that never waits for a lock (deferred freeing's last resort where no
// lock may be waited for): true if the object was freed (or refused with a
// warning), false if its class lock was busy or the layout has no class field.
bool Pool::try_free(unsigned long handle, int path)
{
	// debug pools: the quarantine takes a lock of its own after the free
	if (!ObjLayout::has_class || policy_ == FreePolicy::base || debug_)
		return false;
	unsigned long *word = handle_word(handle);
	SizeClass *cls = class_in_obj(load_relaxed(word));
	Zspage *empties = nullptr;
	bool ok = false;
	if (zsx_likely(cls)) {
		SpinTryGuard g(cls->lock);
		if (!g)
			return false;
		ok = free_locked(cls, handle, &empties);
	}
	if (zsx_unlikely(!ok)) {
		Plat::warn(owner_, ZSX_MISUSE_DEFER_NOT_LIVE, handle, load_relaxed(word));
		return true;
	}
	finish_free(handle, cls, empties, path);
	return true;
}

void Pool::free(unsigned long handle, int path) { free_inline(handle, path); }

// ---- frees that cannot wait for a lock (pool.hpp) ----------------------------

void Pool::free_deferred_unbuffered(unsigned long handle)
{
	if (zsx_unlikely(is_err_or_null(handle)))
		return;
	if (Plat::may_lock()) {
		free_inline(handle, -1); // what zsx_free does, where zsx_free may be called
		return;
	}
	// (debug pools: the handle is checked where it is freed, under its class lock)
	// not in interrupt context: the free takes other locks after the class
	// lock (page release), which an interrupt handler must not
	if (Plat::in_task() && try_free(handle, ZSX_TRACE_FREE_FALLBACK))
		return;
	free_late(handle);
}

struct LateNode {
	LateNode *next;
	unsigned long handle;
};

bool Pool::free_late(unsigned long handle)
{
	unsigned start = load_relaxed(&late_hint_);
	for (unsigned i = 0; i < kLateSlots; ++i) {
		unsigned s = (start + i) & (kLateSlots - 1);
		unsigned long empty = 0;
		if (load_relaxed(&late_slots_[s]))
			continue;
		// release pairs with drain_late's exchange: it takes the handle whole
		if (__atomic_compare_exchange_n(&late_slots_[s], &empty, handle, false, __ATOMIC_RELEASE,
						__ATOMIC_RELAXED)) {
			store_relaxed(&late_hint_, s + 1);
			Plat::work_queue(late_work_); // queued again if it runs now: no put is missed
			return true;
		}
	}
	// every slot taken (the work has not run for 1024 of them: 8 KiB read
	// here): a node on the overflow list, where an allocation may be made
	if (Plat::may_alloc_atomic()) {
		auto *n = static_cast<LateNode *>(Plat::zalloc(sizeof(LateNode), kGfpAtomic));
		if (n) {
			n->handle = handle;
			LateNode *head = load_relaxed(&late_overflow_);
			do {
				n->next = head;
			} while (!__atomic_compare_exchange_n(&late_overflow_, &head, n, true, __ATOMIC_RELEASE,
							      __ATOMIC_RELAXED));
			Plat::work_queue(late_work_);
			return true;
		}
	}
	// neither, and no lock: the object stays allocated until the pool is
	// destroyed (destroy frees every object); warned (rate-limited), counted
	add_relaxed(&late_kept_, 1ul);
	Plat::warn(owner_, ZSX_MISUSE_DEFER_KEPT, handle, 0);
	return false;
}

// The late-free work: each object freed in its own class-lock hold (no hold
// longer than one free), a reschedule point every kLateRun of them. A put
// into a slot this pass has gone by queues the work again.
void Pool::drain_late()
{
	unsigned long done = 0;
	for (unsigned s = 0; s < kLateSlots; ++s) {
		if (!load_relaxed(&late_slots_[s]))
			continue;
		unsigned long handle = xchg_acq_rel(&late_slots_[s], 0ul);
		if (!handle)
			continue;
		free_inline(handle, ZSX_TRACE_FREE_DEFERRED_DRAIN);
		if (++done % kLateRun == 0)
			Plat::cond_resched();
	}
	// acquire pairs with the pushers' release: their node writes are visible
	LateNode *n = load_relaxed(&late_overflow_) ? xchg_acq_rel(&late_overflow_, static_cast<LateNode *>(nullptr))
						    : nullptr;
	while (n) {
		LateNode *next = n->next;
		free_inline(n->handle, ZSX_TRACE_FREE_DEFERRED_DRAIN);
		Plat::free(n);
		n = next;
		if (++done % kLateRun == 0)
			Plat::cond_resched();
	}
	add_relaxed(&late_freed_, done);
}

// Only the work drains (its runs never overlap): a run queued now takes every
// handle put before this call, and a concurrent flush cannot return while
// another drainer still holds one of them.
void Pool::flush_late()
{
	Plat::work_queue(late_work_);
	Plat::work_flush(late_work_);
}
unsigned long Pool::malloc(usize size, unsigned gfp, int nid) { return malloc_inline(size, gfp, nid); }

// Free n handles (deferred freeing's drainers), grouped by the class in their
// obj: one class-lock hold frees at most hold_max of a run, and a hold ends
// early when another CPU waits for the lock or this one should reschedule.
void Pool::free_batch(unsigned long *h, unsigned n, unsigned long *scratch, unsigned hold_max, bool may_resched,
		      HoldTally *tally)
{
	if (!ObjLayout::has_class || policy_ == FreePolicy::base) {
		for (unsigned i = 0; i < n; ++i)
			free(h[i], ZSX_TRACE_FREE_DEFERRED_DRAIN);
		return;
	}
	// Counting sort by the class encoded in obj (stable for a live object),
	// each handle's class read once: a handle freed twice could change between
	// reads, and the sort must stay consistent whatever it reads.
	for (unsigned base = 0; base < n; base += kFreeBatchMax)
		free_batch_sorted(h + base, min_of(n - base, kFreeBatchMax), scratch, hold_max, may_resched, tally);
}

void Pool::free_batch_sorted(unsigned long *h, unsigned n, unsigned long *scratch, unsigned hold_max, bool may_resched,
			     HoldTally *tally)
{
	// scratch: n handles, then the class counts, then 2n class indices and n
	// positions in h (kernel stacks are small). One bucket per class slot and
	// one for a class field no class has (a corrupt obj: refused below): the
	// counts to clear and sum are the classes there are, not all the field can hold.
	static_assert(kFreeBatchMax <= 65536, "positions in h are 16-bit");
	constexpr unsigned kNoClass = Geometry::nr_classes;
	u32 *start = reinterpret_cast<u32 *>(scratch + n);
	u16 *cls_of = reinterpret_cast<u16 *>(start + kNoClass + 2), *sorted_cls = cls_of + n, *pos = sorted_cls + n;
	for (unsigned c = 0; c < kNoClass + 2; ++c)
		start[c] = 0;
	for (unsigned i = 0; i < n; ++i) {
		cls_of[i] = u16(min_of(ObjLayout::class_of(obj_of_handle(h[i])), kNoClass));
		start[cls_of[i] + 1]++;
	}
	for (unsigned c = 1; c <= kNoClass + 1; ++c)
		start[c] += start[c - 1];
	for (unsigned i = 0; i < n; ++i) {
		u32 at = start[cls_of[i]]++;
		scratch[at] = h[i];
		sorted_cls[at] = cls_of[i];
		pos[at] = u16(i);
	}

	unsigned limit = tally->limit && tally->limit <= hold_max ? tally->limit : hold_max;
	for (unsigned i = 0; i < n;) {
		unsigned c = sorted_cls[i];
		unsigned end = i;
		while (end < n && sorted_cls[end] == c)
			end++;
		SizeClass *cls = c < kNoClass ? by_slot_[c] : nullptr;
		if (zsx_unlikely(!cls)) {
			// a corrupt class field: refuse the whole run
			for (unsigned k = i; k < end; ++k) {
				Plat::warn(owner_, ZSX_MISUSE_DEFER_BAD_CLASS, scratch[k], c);
				h[pos[k]] = 0;
			}
			i = end;
			continue;
		}
		for (unsigned k = i; k < end;) {
			unsigned first = k, stop = k + min_of(limit, end - k); // no overflow for any limit
			// A hold of fewer than kHoldCheck handles is as short as that many
			// frees (the waiter check below could not end it sooner): it is
			// counted, not timed. A real size mix gives a few handles per class
			// in a chunk, and two clock reads would cost more than their frees.
			bool timed = stop - first >= min_of(kHoldCheck, hold_max);
			Zspage *empties = nullptr;
			{
				SpinGuardBh g(cls->lock);
				unsigned long long t0 = timed ? Plat::now_ns() : 0;
				while (k < stop) {
					unsigned long handle = scratch[k];
					if (!free_locked(cls, handle, &empties))
						scratch[k] |= 1; // refused (handles are 8-byte aligned)
					// every kHoldCheck handles: someone waiting for this lock, or for this CPU?
					if ((++k - first) % kHoldCheck == 0 && k < stop &&
					    (cls->lock.contended() || Plat::need_resched()))
						break;
				}
				tally->holds++;
				if (timed) {
					unsigned long held = (unsigned long)(Plat::now_ns() - t0);
					tally->longest_ns = max_of(tally->longest_ns, held);
					tally->over_budget += held > kHoldBudgetNs;
					if (held > kHoldBudgetNs / 2)
						limit = max_of(limit / 2, min_of(kHoldMin, hold_max));
					else if (held < kHoldBudgetNs / 8 && k - first == limit)
						limit = min_of(limit * 2, hold_max);
				}
			}
			// the handle words go back after the whole chunk, in h's order
			// (the order they were freed in, close to the order they were
			// allocated in: neighbours in the handle cache's slabs)
			const bool tracing = Plat::tracing();
			for (unsigned j = first; j < k; ++j) {
				if (zsx_unlikely(scratch[j] & 1)) {
					refuse(scratch[j] & ~1ul, ZSX_MISUSE_DEFER_NOT_LIVE);
					h[pos[j]] = 0;
				} else if (tracing) {
					Plat::trace_free(owner_, scratch[j], cls->index, ZSX_TRACE_FREE_DEFERRED_DRAIN);
				}
			}
			if (empties)
				add_relaxed(&freed_unlocked_, release_chain(empties));
			if (k < end && may_resched)
				Plat::cond_resched();
		}
		tally->runs++;
		i = end;
	}
	tally->limit = limit;
	release_handles(h, n);
}

// the handles of a drained chunk, refused ones zeroed: one bulk free
void Pool::release_handles(unsigned long *h, unsigned n)
{
	unsigned m = 0;
	for (unsigned i = 0; i < n; ++i) {
		if (zsx_unlikely(!h[i]))
			continue;
		if (zsx_unlikely(debug_))
			release_handle(h[i]);
		else
			h[m++] = h[i];
	}
	if (m)
		Plat::handle_free_bulk(reinterpret_cast<void **>(h), m);
}

// ---- object access ----------------------------------------------------------

// Under migrate_lock no object moves: obj is stable, so debug pools check the
// handle here (not before: a migration between the read and the lookup would
// make a live handle look foreign).
Zspage *Pool::pin_zspage(unsigned long handle, unsigned long *obj)
{
	ReadGuard g(migrate_lock_);
	if (zsx_unlikely(debug_) && !debug_check(handle))
		return nullptr;
	*obj = obj_of_handle(handle);
	Zspage *zs = zspage_of_obj(*obj);
	if (zsx_unlikely(!zs)) {
		Plat::warn(owner_, ZSX_MISUSE_ACCESS_NOT_LIVE, handle, *obj);
		return nullptr;
	}
	add_relaxed(&zs->mapped, 1u);
	return zs;
}

// One body for both directions (copy_obj); members, so their calling
// convention (and instruction count) is that of the functions they replaced.
void Pool::copy_out(Zspage *zs, unsigned idx, usize skip, void *dst, usize len)
{
	copy_obj<Copy::out>(zs, idx, skip, dst, len);
}

void Pool::copy_in(Zspage *zs, unsigned idx, usize skip, const void *src, usize len)
{
	copy_obj<Copy::in>(zs, idx, skip, src, len);
}

// Where a pinned object lives: its zspage, index, payload offset, and whether
// it fits in one page (then it is reached through kmap, else bounced).
struct Pool::ObjPlace {
	Zspage *zs;
	unsigned idx;
	usize skip;    // the handle header before the payload (0 for huge objects)
	usize payload; // payload bytes
	usize off;     // object offset within the zspage
	bool in_one_page;

	ObjPlace(Zspage *z, unsigned long obj)
		: zs(z), idx(ObjLayout::index_of(obj)), skip(header_bytes(z->cls)), payload(payload_bytes(z->cls)),
		  off(obj_offset(z->cls, idx)), in_one_page((off & kPageMask) + z->cls->size <= kPageSize)
	{}
	u8 *kmap_payload() const { return Plat::kmap(page_at(zs, off)) + (off & kPageMask) + skip; }
};

// A map the pool refuses (a freed or foreign handle, an obj naming no page of
// this pool) still takes the CPU's map state, with no zspage in it, and
// returns nullptr; the caller's unmap, which zram and zswap make whatever
// map returned, finds that state and only gives the state back.
void *Pool::map(unsigned long handle, int mode)
{
	if (zsx_unlikely(is_err_or_null(handle)))
		return nullptr; // unmap returns at once for these too
	unsigned long obj;
	Zspage *zs = pin_zspage(handle, &obj); // debug pools: checked there
	void *area = Plat::cpu_buffer_get();   // the map state's one get: unmap puts it
	CpuMapState *st = cpu_state(area);
	st->zs = zs;
	if (zsx_unlikely(!zs))
		return nullptr;
	ObjPlace at(zs, obj);
	st->idx = at.idx;
	st->mode = mode;
	if (at.in_one_page) {
		u8 *p = at.kmap_payload();
		st->kaddr = p;
		return p;
	}
	st->kaddr = nullptr;
	if (mode != kMapWO)
		copy_out(zs, at.idx, at.skip, area, at.payload);
	return area;
}

void Pool::unmap(unsigned long handle)
{
	if (zsx_unlikely(is_err_or_null(handle)))
		return;
	void *area = Plat::cpu_buffer_held(); // map's: same CPU, preemption still off
	CpuMapState *st = cpu_state(area);
	if (zsx_unlikely(!st->zs)) {
		Plat::cpu_buffer_put(); // map refused the handle: nothing is pinned or mapped
		return;
	}
	if (st->kaddr) {
		Plat::kunmap(st->kaddr);
	} else if (st->mode != kMapRO) {
		const SizeClass *cls = st->zs->cls;
		copy_in(st->zs, st->idx, header_bytes(cls), area, payload_bytes(cls));
	}
	unpin(st->zs);
	st->zs = nullptr;
	Plat::cpu_buffer_put(); // the map buffer's one put: map got it
	(void)handle;
}

// A refused read returns nullptr; read_end with that nullptr does nothing
// (nothing was pinned or mapped), so a caller may end what it began.
void *Pool::read_begin(unsigned long handle, usize mem_len, void *local_copy)
{
	if (zsx_unlikely(is_err_or_null(handle)))
		return nullptr;
	unsigned long obj;
	Zspage *zs = pin_zspage(handle, &obj); // sets obj: a separate statement, argument order is unspecified
	if (zsx_unlikely(!zs))
		return nullptr;
	ObjPlace at(zs, obj);
	if (at.in_one_page)
		return at.kmap_payload();
	copy_out(at.zs, at.idx, at.skip, local_copy, min_of(mem_len, at.payload));
	return local_copy;
}

void Pool::read_end(unsigned long handle, void *mem)
{
	if (zsx_unlikely(!mem))
		return; // read_begin refused the handle: nothing is pinned
	unsigned long obj = obj_of_handle(handle);
	ObjPlace at(zspage_of_obj(obj), obj); // pinned: cannot have moved
	if (at.in_one_page)
		Plat::kunmap(mem);
	unpin(at.zs);
}

void Pool::write(unsigned long handle, const void *mem, usize len)
{
	if (zsx_unlikely(is_err_or_null(handle)))
		return;
	unsigned long obj;
	Zspage *zs = pin_zspage(handle, &obj); // sets obj: a separate statement, argument order is unspecified
	if (zsx_unlikely(!zs))
		return;
	ObjPlace at(zs, obj);
	if (zsx_unlikely(len > at.payload)) {
		Plat::warn(owner_, ZSX_MISUSE_WRITE_TOO_LONG, handle, len);
		len = at.payload;
	}
	copy_in(at.zs, at.idx, at.skip, mem, len);
	unpin(at.zs);
}

// ---- compaction -------------------------------------------------------------

// Under the class lock exact; without it (the shrinker's count) an estimate
// from two relaxed reads, which may see a free before the zspage it emptied
// was taken out: never negative. The writers, under the lock, use plain
// stores of aligned words (the kernel's rule: such stores are not torn, and
// KCSAN does not report them against marked reads), so the hot paths pay
// nothing for the lockless reader.
static unsigned long class_freeable_pages(const SizeClass *cls)
{
	unsigned long allocated = load_relaxed(&cls->obj_allocated), used = load_relaxed(&cls->obj_used);
	unsigned long wasted = allocated > used ? allocated - used : 0;
	return wasted / cls->objs_per_zspage * cls->pages_per_zspage;
}

bool Pool::move_object(SizeClass *cls, Zspage *src, unsigned idx, Zspage *dst)
{
	unsigned long handle = handle_in_slot(cls, src, idx);
	if (!handle)
		return false;
	unsigned new_idx = dst->free_head;
	unsigned long new_obj = obj_alloc(cls, dst, handle);
	{
		CpuBufferGuard bounce;
		copy_out(src, idx, header_bytes(cls), bounce.area(), payload_bytes(cls));
		copy_in(dst, new_idx, header_bytes(cls), bounce.area(), payload_bytes(cls));
	}
	obj_free(cls, src, idx);
	// the PFN (and index) change; the class field stays: lock-free readers in
	// zsx_free() still find this class and re-read the handle under its lock
	store_relaxed(handle_word(handle), new_obj);
	return true;
}

unsigned long Pool::compact_class(SizeClass *cls)
{
	unsigned long freed = 0;
	for (bool more = true; more;) {
		more = false;
		Zspage *released = nullptr;
		unsigned long pass_freed = 0;
		{
			WriteGuard pg(migrate_lock_);
			SpinGuard g(cls->lock);
			while (class_freeable_pages(cls) > 0) {
				Zspage *dst = fullest_with_room(cls), *src = nullptr;
				for (unsigned grp = kGroupEmpty + 1; grp < kGroupFull && !src; ++grp) {
					for (ListNode *n = cls->groups[grp].prev; n != &cls->groups[grp]; n = n->prev) {
						Zspage *zs = Zspage::of(n);
						if (zs != dst && load_acquire(&zs->mapped) == 0) {
							src = zs;
							break;
						}
					}
				}
				if (!dst || !src)
					break;
				for (unsigned i = 0;
				     i < cls->objs_per_zspage && src->inuse && dst->free_head != Zspage::kNoFree; ++i)
					move_object(cls, src, i, dst);
				regroup(cls, dst);
				Zspage *empty = detach_if_empty(cls, src);
				if (empty) {
					pass_freed += empty->nr_pages;
					push_dead(&released, empty);
				}
				// mainline's courtesy: do not starve map/free/migration of this class
				if (cls->lock.contended() || Plat::need_resched()) {
					more = true;
					break;
				}
			}
		}
		freed += pass_freed;
		release_chain(released);
		if (more)
			Plat::cond_resched();
	}
	return freed;
}

unsigned long Pool::compact()
{
	unsigned long freed = 0, classes = 0;
	for (unsigned k = 0; k < table_->nr_distinct; ++k) {
		SizeClass *cls = &classes_[k];
		if (cls->huge)
			continue;
		unsigned long f = compact_class(cls);
		freed += f;
		classes += f != 0;
		Plat::cond_resched();
	}
	add_relaxed(&pages_compacted_, freed);
	if (Plat::tracing())
		Plat::trace_compact(owner_, classes, freed);
	return freed;
}

// The shrinker's count, on every shrink_slab call: no class lock (each class's
// counters are read here with relaxed loads), so reclaim never queues behind
// a drainer's hold.
unsigned long Pool::compactable_pages() const
{
	unsigned long n = 0;
	for (unsigned k = 0; k < table_->nr_distinct; ++k)
		n += class_freeable_pages(&classes_[k]);
	return n;
}

// ---- statistics and lookups -------------------------------------------------

int Pool::class_index_of(usize size) const
{
	if (size == 0 || size > Geometry::max_alloc_size)
		return kEINVAL;
	return class_for_request(size)->index;
}

bool Pool::class_stats(unsigned slot, ClassStats *out) const
{
	if (slot >= Geometry::nr_classes || table_->slot[slot].index != slot)
		return false;
	SizeClass *cls = by_slot_[slot];
	SpinGuard g(cls->lock);
	out->size = cls->size;
	out->index = cls->index;
	out->pages_per_zspage = cls->pages_per_zspage;
	out->objs_per_zspage = cls->objs_per_zspage;
	out->huge = cls->huge;
	unsigned long zspages = 0;
	for (unsigned i = 0; i < kNrGroups; ++i) {
		out->groups[i] = cls->zspages[i];
		zspages += cls->zspages[i];
	}
	out->obj_allocated = cls->obj_allocated;
	out->obj_used = cls->obj_used;
	out->pages_used = zspages * cls->pages_per_zspage;
	out->freeable = class_freeable_pages(cls);
	return true;
}

void Pool::stats(PoolStats *out) const
{
	out->pages_compacted = load_relaxed(&pages_compacted_);
	out->pages_migrated = load_relaxed(&pages_migrated_);
	out->zspages_freed_unlocked = load_relaxed(&freed_unlocked_);
	out->zspages_freed_locked = load_relaxed(&freed_locked_);
	out->late_frees = load_relaxed(&late_freed_);
	out->late_kept = load_relaxed(&late_kept_);
}

unsigned long Pool::objects_in_use() const
{
	unsigned long n = 0;
	for (unsigned k = 0; k < table_->nr_distinct; ++k) {
		SizeClass *cls = &classes_[k];
		SpinGuard g(cls->lock);
		n += cls->obj_used;
	}
	return n;
}

// ---- page migration (movable_operations) ---------------------------------------

// The VM holds the page lock across each callback: the zspage read from
// page->private cannot be freed meanwhile (see free_zspage_pages).
bool Pool::page_isolate(Page *page)
{
	auto *zs = static_cast<Zspage *>(Plat::page_owner(page));
	if (!zs)
		return false;
	SpinGuard g(zs->cls->lock);
	return !zs->dead;
}

void Pool::page_putback(Page *)
{
	// nothing was taken at isolation: the zspage stayed fully usable
}

int Pool::page_migrate(Page *newpage, Page *page)
{
	auto *zs = static_cast<Zspage *>(Plat::page_owner(page));
	if (!zs)
		return kEAGAIN;
	SizeClass *cls = zs->cls;
	Pool *pool = cls->pool;
	WriteGuard pg(pool->migrate_lock_);
	SpinGuard g(cls->lock);
	return pool->migrate_locked(cls, zs, newpage, page);
}

// Pool write lock and class lock held: no map/read can start, no free or
// compaction can touch this zspage's handles.
int Pool::migrate_locked(SizeClass *cls, Zspage *zs, Page *newpage, Page *page)
{
	if (zs->dead || load_acquire(&zs->mapped) != 0)
		return kEAGAIN; // being released, or an object is mapped right now
	unsigned i = 0;
	while (i < zs->nr_pages && zs->pages[i] != page)
		++i;
	if (i == zs->nr_pages)
		return kEAGAIN;
	{
		PageMap from(page), to(newpage);
		copy_bytes(to.addr(), from.addr(), kPageSize);
	}
	zs->pages[i] = newpage;
	Plat::page_set_owner(newpage, zs, page_tag_of(zs));
	Plat::page_adopt_migrated(newpage);
	// objects whose first byte is in this page carry its PFN in their handle
	unsigned long new_pfn = Plat::page_to_pfn(newpage);
	usize start = usize(i) << kPageShift, end = start + kPageSize;
	unsigned first = unsigned((start + cls->size - 1) / cls->size), moved = 0;
	for (unsigned idx = first; idx < cls->objs_per_zspage && obj_offset(cls, idx) < end; ++idx) {
		unsigned long h = handle_in_slot(cls, zs, idx);
		if (!h)
			continue;
		store_relaxed(handle_word(h), ObjLayout::with_pfn(obj_of_handle(h), new_pfn));
		moved++;
	}
	if (Plat::tracing())
		Plat::trace_migrate(cls->pool->owner_, Plat::page_to_pfn(page), new_pfn, moved);
	Plat::page_set_owner(page, nullptr, 0);
	Plat::page_drop_migrated(page);
	add_relaxed(&pages_migrated_, 1ul);
	return kOk;
}

Page *Pool::handle_page(unsigned long handle)
{
	if (is_err_or_null(handle))
		return nullptr;
	ReadGuard g(migrate_lock_);
	return Plat::pfn_to_page_checked(ObjLayout::pfn_of(obj_of_handle(handle)));
}

bool Pool::handle_location(unsigned long handle, unsigned long *pfn, unsigned *obj_idx, unsigned *class_idx)
{
	if (is_err_or_null(handle))
		return false;
	ReadGuard g(migrate_lock_);
	unsigned long obj = obj_of_handle(handle);
	Zspage *zs = zspage_of_obj(obj);
	*pfn = ObjLayout::pfn_of(obj);
	*obj_idx = ObjLayout::index_of(obj);
	*class_idx = zs ? zs->cls->index : ~0u;
	return zs != nullptr;
}

} // namespace zsx

// The C entry points of the hot paths: here, where the inline bodies are, and
// outside the namespace, as core.h declares them
extern "C" void zsx_core_free(struct zsx_core_pool *p, unsigned long handle)
{
	reinterpret_cast<zsx::Pool *>(p)->free_inline(handle, -1);
}

extern "C" unsigned long zsx_core_malloc(struct zsx_core_pool *p, unsigned long size, unsigned int gfp, int nid)
{
	return reinterpret_cast<zsx::Pool *>(p)->malloc_inline(size, gfp, nid);
}
