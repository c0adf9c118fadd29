// SPDX-License-Identifier: GPL-2.0
// Hosted tests of zsx::Pool: every policy, every class, both access APIs,
// compaction, errors, and a multi-threaded run (meaningful under TSan).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "core.h"
#include "platform_abi.h"
#include "host_platform.hpp"

namespace {

constexpr unsigned long kPage = 1ul << ZSX_PAGE_SHIFT;

bool is_err(unsigned long h) { return h >= (unsigned long)-4095L; }

void fill(std::vector<unsigned char> &buf, unsigned long seed)
{
	for (size_t i = 0; i < buf.size(); ++i)
		buf[i] = (unsigned char)((seed * 2654435761u + i * 40503u) >> 7);
}

struct PoolDeleter {
	void operator()(zsx_core_pool *p) const { zsx_core_pool_destroy(p); }
};
using PoolPtr = std::unique_ptr<zsx_core_pool, PoolDeleter>;

PoolPtr make_pool(int policy, unsigned chain = ZSX_CHAIN_SIZE)
{
	int err = 0;
	zsx_core_pool *p = zsx_core_pool_create(chain, policy, 0, &err);
	EXPECT_EQ(err, 0);
	return PoolPtr(p);
}

std::vector<int> policies()
{
	if (zsx_core_has_classidx())
		return {ZSX_CORE_FREE_BASE, ZSX_CORE_FREE_CLASSIDX, ZSX_CORE_FREE_CLASSIDX_UNLOCKED};
	return {ZSX_CORE_FREE_BASE};
}

// write through obj_write, read back through read_begin and through map(RO)
void write_obj(zsx_core_pool *p, unsigned long h, const std::vector<unsigned char> &data)
{
	zsx_core_write(p, h, data.data(), data.size());
}

bool check_obj(zsx_core_pool *p, unsigned long h, const std::vector<unsigned char> &data)
{
	std::vector<unsigned char> local(kPage);
	void *mem = zsx_core_read_begin(p, h, data.size(), local.data());
	bool ok = memcmp(mem, data.data(), data.size()) == 0;
	zsx_core_read_end(p, h, mem);
	void *m = zsx_core_map(p, h, 1 /* RO */);
	ok = ok && memcmp(m, data.data(), data.size()) == 0;
	zsx_core_unmap(p, h);
	return ok;
}

// One thread's share of a concurrent run: its own live objects, checksummed.
struct Churn {
	zsx_core_pool *p;
	std::mt19937 rng;
	std::vector<std::pair<unsigned long, unsigned>> live;
	long mismatches = 0;

	Churn(zsx_core_pool *pool, unsigned seed) : p(pool), rng(seed) {}
	void alloc_one()
	{
		unsigned long size = 1 + rng() % kPage;
		unsigned long h = zsx_core_malloc(p, size, 0, -1);
		if (is_err(h)) {
			mismatches++;
			return;
		}
		std::vector<unsigned char> data(size);
		fill(data, h ^ size);
		write_obj(p, h, data);
		live.emplace_back(h, (unsigned)size);
	}
	void free_one() // verify, then free a random live object
	{
		size_t k = rng() % live.size();
		auto [h, size] = live[k];
		std::vector<unsigned char> data(size);
		fill(data, h ^ size);
		if (!check_obj(p, h, data))
			mismatches++;
		zsx_core_free(p, h);
		live[k] = live.back();
		live.pop_back();
	}
	unsigned long any() { return live[rng() % live.size()].first; }
	~Churn()
	{
		for (auto [h, size] : live)
			zsx_core_free(p, h);
	}
};

class PoolByPolicy : public ::testing::TestWithParam<int> {};

TEST_P(PoolByPolicy, EverySizeRoundTripsAndPagesReturn)
{
	const long warned = host::warnings.load(); // other tests' misuse warnings
	auto pool = make_pool(GetParam());
	ASSERT_TRUE(pool);
	std::vector<std::pair<unsigned long, std::vector<unsigned char>>> live;
	for (unsigned long size = 1; size <= kPage; size += (size < 64 ? 1 : 13)) {
		unsigned long h = zsx_core_malloc(pool.get(), size, 0, -1);
		ASSERT_FALSE(is_err(h)) << "size " << size;
		std::vector<unsigned char> data(size);
		fill(data, size);
		write_obj(pool.get(), h, data);
		live.emplace_back(h, std::move(data));
	}
	for (auto &[h, data] : live)
		ASSERT_TRUE(check_obj(pool.get(), h, data)) << "size " << data.size();
	EXPECT_EQ(zsx_core_objects_in_use(pool.get()), live.size());
	EXPECT_GT(zsx_core_total_pages(pool.get()), 0u);
	for (auto &[h, data] : live)
		zsx_core_free(pool.get(), h);
	EXPECT_EQ(zsx_core_objects_in_use(pool.get()), 0u);
	EXPECT_EQ(zsx_core_total_pages(pool.get()), 0u) << "empty zspages must be released";
	EXPECT_EQ(host::warnings.load() - warned, 0);
}

TEST_P(PoolByPolicy, MapWriteModesAndSpanningObjects)
{
	auto pool = make_pool(GetParam());
	// sizes whose objects straddle page boundaries in multi-page zspages
	for (unsigned long size : {kPage / 3, kPage / 2 + 40, kPage * 3 / 4, kPage - 100}) {
		std::vector<unsigned long> hs;
		for (int i = 0; i < 40; ++i) {
			unsigned long h = zsx_core_malloc(pool.get(), size, 0, -1);
			ASSERT_FALSE(is_err(h));
			std::vector<unsigned char> data(size);
			fill(data, h);
			void *m = zsx_core_map(pool.get(), h, 2 /* WO */);
			memcpy(m, data.data(), size);
			zsx_core_unmap(pool.get(), h);
			ASSERT_TRUE(check_obj(pool.get(), h, data)) << "size " << size << " obj " << i;
			hs.push_back(h);
		}
		for (unsigned long h : hs)
			zsx_core_free(pool.get(), h);
	}
	EXPECT_EQ(zsx_core_total_pages(pool.get()), 0u);
}

TEST_P(PoolByPolicy, CompactionReleasesPagesAndKeepsData)
{
	auto pool = make_pool(GetParam());
	const unsigned long size = 200;
	std::vector<unsigned long> hs;
	for (int i = 0; i < 4000; ++i) {
		unsigned long h = zsx_core_malloc(pool.get(), size, 0, -1);
		ASSERT_FALSE(is_err(h));
		std::vector<unsigned char> data(size);
		fill(data, i);
		write_obj(pool.get(), h, data);
		hs.push_back(h);
	}
	// free 3 of every 4: zspages left sparse
	std::vector<std::pair<unsigned long, int>> kept;
	for (int i = 0; i < (int)hs.size(); ++i) {
		if (i % 4)
			zsx_core_free(pool.get(), hs[i]);
		else
			kept.emplace_back(hs[i], i);
	}
	unsigned long before = zsx_core_total_pages(pool.get());
	unsigned long expect = zsx_core_compactable_pages(pool.get());
	EXPECT_GT(expect, 0u);
	unsigned long freed = zsx_core_compact(pool.get());
	EXPECT_EQ(freed, before - zsx_core_total_pages(pool.get()));
	EXPECT_GE(freed, expect * 3 / 4) << "compaction freed fewer pages than it could";
	struct zsx_core_pool_stats st;
	zsx_core_pool_stats(pool.get(), &st);
	EXPECT_EQ(st.pages_compacted, freed);
	for (auto &[h, i] : kept) {
		std::vector<unsigned char> data(size);
		fill(data, i);
		ASSERT_TRUE(check_obj(pool.get(), h, data)) << "object " << i << " corrupted by compaction";
		zsx_core_free(pool.get(), h);
	}
	EXPECT_EQ(zsx_core_total_pages(pool.get()), 0u);
}

TEST_P(PoolByPolicy, ConcurrentFreeAllocReadWithCompaction)
{
	auto pool = make_pool(GetParam());
	std::atomic<bool> stop{false};
	std::atomic<long> mismatches{0};
	auto worker = [&](unsigned seed) {
		Churn c(pool.get(), seed);
		for (int it = 0; it < 6000; ++it) {
			if (c.live.size() < 300 && (c.rng() % 3 != 0 || c.live.empty()))
				c.alloc_one();
			else
				c.free_one();
		}
		mismatches += c.mismatches;
	};
	std::thread compactor([&] {
		while (!stop.load())
			zsx_core_compact(pool.get());
	});
	std::vector<std::thread> ts;
	for (unsigned t = 0; t < 4; ++t)
		ts.emplace_back(worker, 1234 + t);
	for (auto &t : ts)
		t.join();
	stop = true;
	compactor.join();
	EXPECT_EQ(mismatches.load(), 0);
	EXPECT_EQ(zsx_core_objects_in_use(pool.get()), 0u);
	EXPECT_EQ(zsx_core_total_pages(pool.get()), 0u);
}

// The VM's side of migration, hosted: isolate, allocate a new page, migrate.
bool migrate_page_of(zsx_core_pool *p, unsigned long h)
{
	zsx_plat_page *page = zsx_core_handle_page(p, h);
	return page && host::host_migrate_pfn(zsx_plat_page_to_pfn(page));
}

TEST_P(PoolByPolicy, MigrationMovesPagesAndRewritesHandles)
{
	auto pool = make_pool(GetParam());
	for (unsigned long size : {40ul, 700ul, kPage / 3, kPage - 50, kPage}) {
		std::vector<unsigned long> hs;
		for (int i = 0; i < 50; ++i) {
			unsigned long h = zsx_core_malloc(pool.get(), size, 0, -1);
			std::vector<unsigned char> data(size);
			fill(data, h + 1);
			write_obj(pool.get(), h, data);
			hs.push_back(h);
		}
		for (unsigned long h : hs) {
			unsigned long before = *reinterpret_cast<unsigned long *>(h);
			unsigned long pfn0, pfn1;
			unsigned c, i0, i1;
			zsx_core_handle_location(pool.get(), h, &pfn0, &i0, &c);
			ASSERT_TRUE(migrate_page_of(pool.get(), h)) << "size " << size;
			zsx_core_handle_location(pool.get(), h, &pfn1, &i1, &c);
			EXPECT_NE(pfn0, pfn1) << "handle still points at the old page";
			EXPECT_EQ(i0, i1);
			EXPECT_NE(before, *reinterpret_cast<unsigned long *>(h));
		}
		for (unsigned long h : hs) {
			std::vector<unsigned char> data(size);
			fill(data, h + 1);
			ASSERT_TRUE(check_obj(pool.get(), h, data)) << "size " << size << " corrupted by migration";
			zsx_core_free(pool.get(), h);
		}
	}
	// a mapped object pins its zspage: migration must refuse
	unsigned long h = zsx_core_malloc(pool.get(), 100, 0, -1);
	void *m = zsx_core_map(pool.get(), h, 1);
	EXPECT_FALSE(migrate_page_of(pool.get(), h));
	(void)m;
	zsx_core_unmap(pool.get(), h);
	EXPECT_TRUE(migrate_page_of(pool.get(), h));
	zsx_core_free(pool.get(), h);
	struct zsx_core_pool_stats st;
	zsx_core_pool_stats(pool.get(), &st);
	EXPECT_GE(st.pages_migrated, 251u);
	EXPECT_EQ(zsx_core_total_pages(pool.get()), 0u);
}

TEST_P(PoolByPolicy, MigrationRacesFreeAllocAndCompaction)
{
	auto pool = make_pool(GetParam());
	host::release_busy_every = 7; // some releases go through the deferred path
	std::atomic<bool> stop{false};
	std::atomic<long> mismatches{0}, migrated{0};
	auto worker = [&](unsigned seed, bool migrator) {
		Churn c(pool.get(), seed);
		for (int it = 0; it < 5000; ++it) {
			unsigned op = c.rng() % 4;
			if (c.live.size() < 200 && (op < 2 || c.live.empty()))
				c.alloc_one();
			else if (op == 2 && migrator)
				migrated += migrate_page_of(pool.get(), c.any());
			else
				c.free_one();
		}
		mismatches += c.mismatches;
	};
	std::thread compactor([&] {
		while (!stop.load())
			zsx_core_compact(pool.get());
	});
	std::vector<std::thread> ts;
	for (unsigned t = 0; t < 4; ++t)
		ts.emplace_back(worker, 99 + t, t < 2);
	for (auto &t : ts)
		t.join();
	stop = true;
	compactor.join();
	host::release_busy_every = 0;
	EXPECT_EQ(mismatches.load(), 0);
	EXPECT_GT(migrated.load(), 100);
	// pages that were "locked" when their zspage died are counted until released
	zsx_plat_flush_deferred_releases();
	EXPECT_EQ(zsx_core_total_pages(pool.get()), 0u);
}

std::string policy_name(const ::testing::TestParamInfo<int> &i)
{
	static const char *const names[] = {"base", "classidx", "classidx_unlocked_free"};
	return names[i.param];
}

INSTANTIATE_TEST_SUITE_P(Policies, PoolByPolicy, ::testing::ValuesIn(policies()), policy_name);

TEST(PoolErrors, BadInputGetsErrorValues)
{
	const long warned = host::warnings.load(); // other tests' misuse warnings
	auto pool = make_pool(ZSX_CORE_FREE_BASE);
	EXPECT_EQ(zsx_core_malloc(pool.get(), 0, 0, -1), (unsigned long)-22L);
	EXPECT_EQ(zsx_core_malloc(pool.get(), kPage + 1, 0, -1), (unsigned long)-22L);
	zsx_core_free(pool.get(), 0);                   // ignored
	zsx_core_free(pool.get(), (unsigned long)-12L); // ERR value: ignored
	EXPECT_EQ(host::warnings.load() - warned, 0);
	int err = 0;
	EXPECT_EQ(zsx_core_pool_create(3, ZSX_CORE_FREE_BASE, 0, &err), nullptr);
	EXPECT_EQ(err, -22);
	EXPECT_EQ(zsx_core_pool_create(17, ZSX_CORE_FREE_BASE, 0, &err), nullptr);
	EXPECT_EQ(err, -22);
	EXPECT_EQ(zsx_core_pool_create(8, 7, 0, &err), nullptr);
	EXPECT_EQ(err, -22);
	if (!zsx_core_has_classidx()) {
		EXPECT_EQ(zsx_core_pool_create(8, ZSX_CORE_FREE_CLASSIDX, 0, &err), nullptr);
		EXPECT_EQ(err, -95) << "narrow layout must refuse the classidx policy";
	}
}

// Debug handles: a double free, a map/read of a freed handle, another pool's
// handle and a double deferred free are each refused with one warning, and
// nothing else changes: objects, pages and handle counts stay exact.
TEST_P(PoolByPolicy, DebugHandlesRefuseMisuse)
{
	long handles = host::handles_live.load(), warnings = host::warnings.load();
	long freed0 = host::warnings_by_kind[ZSX_MISUSE_FREED_HANDLE].load();
	long foreign0 = host::warnings_by_kind[ZSX_MISUSE_FOREIGN_HANDLE].load();
	{
		auto a = make_pool(GetParam()), b = make_pool(GetParam());
		ASSERT_EQ(zsx_core_pool_set_debug(a.get()), 0);
		ASSERT_EQ(zsx_core_pool_set_debug(b.get()), 0);
		std::vector<unsigned char> data(900), local(kPage);
		fill(data, 3);
		unsigned long h = zsx_core_malloc(a.get(), 500, 0, -1),
			      keep = zsx_core_malloc(a.get(), data.size(), 0, -1);
		ASSERT_FALSE(is_err(h) || is_err(keep));
		write_obj(a.get(), keep, data);
		zsx_core_free(a.get(), h);
		EXPECT_EQ(host::warnings.load(), warnings) << "a correct free must not warn";
		zsx_core_free(a.get(), h);
		EXPECT_EQ(host::warnings.load(), warnings + 1) << "double free not reported";
		EXPECT_EQ(zsx_core_map(a.get(), h, 1), nullptr) << "map of a freed handle must be refused";
		zsx_core_unmap(a.get(), h); // zram and zswap unmap whatever map returned
		EXPECT_EQ(zsx_core_read_begin(a.get(), h, 500, local.data()), nullptr) << "read of a freed handle";
		zsx_core_read_end(a.get(), h, nullptr); // and end the read they began
		EXPECT_EQ(host::warnings.load(), warnings + 3);
		EXPECT_EQ(host::warnings_by_kind[ZSX_MISUSE_FREED_HANDLE].load(), freed0 + 3)
			<< "double free, map and read of a freed handle: each its own report of that kind";
		zsx_core_free(b.get(), keep);
		EXPECT_EQ(host::warnings.load(), warnings + 4) << "another pool's handle not reported";
		EXPECT_EQ(host::warnings_by_kind[ZSX_MISUSE_FOREIGN_HANDLE].load(), foreign0 + 1)
			<< "a foreign handle after freed-handle reports must still be reported as its own kind";
		EXPECT_EQ(zsx_core_objects_in_use(a.get()), 1u);
		EXPECT_TRUE(check_obj(a.get(), keep, data)) << "misuse must not touch live objects";
		zsx_core_free(a.get(), keep);
		EXPECT_EQ(zsx_core_total_pages(a.get()) + zsx_core_total_pages(b.get()), 0u);
		EXPECT_EQ(host::warnings.load(), warnings + 4);
	}
	{
		int err = 0;
		zsx_core_pool *c = zsx_core_pool_create(ZSX_CHAIN_SIZE, GetParam(), 64, &err);
		ASSERT_EQ(zsx_core_pool_set_debug(c), 0);
		unsigned long h = zsx_core_malloc(c, 1000, 0, -1);
		zsx_core_free_deferred(c, h);
		zsx_core_free_deferred(c, h); // still parked: caught when the drainer frees it twice
		zsx_core_deferred_flush(c);
		EXPECT_EQ(host::warnings.load(), warnings + 5) << "double deferred free not reported";
		EXPECT_EQ(zsx_core_objects_in_use(c), 0u);
		EXPECT_EQ(zsx_core_total_pages(c), 0u);
		zsx_core_pool_destroy(c);
	}
	EXPECT_EQ(host::handles_live.load(), handles) << "the quarantine must hand every handle back at destroy";
	host::warnings = warnings;
}

// zsx_free(pool B, a handle of pool A): a warning (zsx_plat_warn), nothing freed,
// A's object and counters intact, A can still free it.
TEST_P(PoolByPolicy, FreeOfAnotherPoolsHandleIsRefused)
{
	auto a = make_pool(GetParam()), b = make_pool(GetParam());
	std::vector<unsigned char> data(700);
	fill(data, 7);
	unsigned long h = zsx_core_malloc(a.get(), data.size(), 0, -1);
	ASSERT_FALSE(is_err(h));
	write_obj(a.get(), h, data);
	unsigned long hb = zsx_core_malloc(b.get(), 300, 0, -1); // B has live objects too
	ASSERT_FALSE(is_err(hb));
	long warnings = host::warnings.load(), handles = host::handles_live.load();
	zsx_core_free(b.get(), h);
	EXPECT_EQ(host::warnings.load(), warnings + 1) << "a foreign handle must be reported";
	EXPECT_EQ(host::handles_live.load(), handles) << "a foreign handle must not be freed";
	EXPECT_EQ(zsx_core_objects_in_use(a.get()), 1u);
	EXPECT_EQ(zsx_core_objects_in_use(b.get()), 1u);
	EXPECT_TRUE(check_obj(a.get(), h, data)) << "the object must be intact";
	zsx_core_free(a.get(), h);
	zsx_core_free(b.get(), hb);
	EXPECT_EQ(zsx_core_total_pages(a.get()) + zsx_core_total_pages(b.get()), 0u);
	host::warnings = warnings;
}

// Forged and stale handles (a class index no class has, a PFN that is not
// memory, the PFN of a page the pool has released): zsx_free refuses each
// with a warning and follows no pointer it cannot vouch for (ASan checks that
// the released page is not touched), and the pool's own objects are intact.
TEST_P(PoolByPolicy, CorruptHandlesAreRefusedWithoutDereferencing)
{
	auto pool = make_pool(GetParam());
	struct zsx_layout_info l;
	zsx_core_layout(&l);
	std::vector<unsigned char> data(500);
	fill(data, 11);
	unsigned long keep = zsx_core_malloc(pool.get(), data.size(), 0, -1);
	ASSERT_FALSE(is_err(keep));
	write_obj(pool.get(), keep, data);
	unsigned long live_pfn, stale_pfn;
	unsigned idx, cls;
	ASSERT_EQ(zsx_core_handle_location(pool.get(), keep, &live_pfn, &idx, &cls), 0);
	// a page the pool allocated and released again: huge objects own a page each
	unsigned long gone = zsx_core_malloc(pool.get(), kPage - 1, 0, -1);
	ASSERT_FALSE(is_err(gone));
	unsigned gone_idx, gone_cls;
	ASSERT_EQ(zsx_core_handle_location(pool.get(), gone, &stale_pfn, &gone_idx, &gone_cls), 0);
	zsx_core_free(pool.get(), gone);

	struct Case {
		const char *what;
		unsigned long obj;
	};
	std::vector<Case> cases = {
		{"random PFN", zsx_core_obj_encode(l.max_pfn - 12345, cls, 0)},
		{"released page", zsx_core_obj_encode(stale_pfn, gone_cls, 0)},
	};
	// the class field only matters where zsx_free trusts it (base finds the class through the page)
	bool uses_class = l.has_class && GetParam() != ZSX_CORE_FREE_BASE;
	if (uses_class && (1ul << l.class_bits) > l.nr_classes)
		cases.push_back({"class index beyond the classes",
				 zsx_core_obj_encode(live_pfn, (1u << l.class_bits) - 1, idx)});
	if (uses_class)
		cases.push_back({"live page, wrong class", zsx_core_obj_encode(live_pfn, gone_cls, idx)});
	for (const Case &c : cases) {
		auto *forged = new unsigned long[2]{c.obj, 0};
		long warnings = host::warnings.load(), handles = host::handles_live.load();
		long not_live = host::warnings_by_kind[ZSX_MISUSE_FREE_NOT_LIVE].load();
		zsx_core_free(pool.get(), reinterpret_cast<unsigned long>(forged));
		EXPECT_EQ(host::warnings.load(), warnings + 1) << c.what << ": must be reported";
		EXPECT_EQ(host::warnings_by_kind[ZSX_MISUSE_FREE_NOT_LIVE].load(), not_live + 1)
			<< c.what << ": reported as a free of no live object";
		EXPECT_EQ(host::handles_live.load(), handles) << c.what << ": nothing may be freed";
		EXPECT_EQ(zsx_core_objects_in_use(pool.get()), 1u) << c.what;
		delete[] forged;
		host::warnings = warnings;
	}
	EXPECT_TRUE(check_obj(pool.get(), keep, data)) << "the pool's object must be intact";
	zsx_core_free(pool.get(), keep);
	EXPECT_EQ(zsx_core_total_pages(pool.get()), 0u);
}

TEST(PoolErrors, PageAllocationFailureIsENOMEMAndLeaksNothing)
{
	auto pool = make_pool(policies().back());
	long handles = host::handles_live.load();
	// a size whose zspage needs several pages: fail half-way through building it
	unsigned long size = 0;
	struct zsx_class_info ci = {};
	for (size = 100; size < kPage; size += 8) {
		zsx_core_class_info(ZSX_CHAIN_SIZE, zsx_core_slot_of_size(size + sizeof(long)), &ci);
		if (ci.pages >= 3)
			break;
	}
	ASSERT_GE(ci.pages, 3u);
	for (long budget : {0l, 2l}) {
		host::page_alloc_budget = budget;
		unsigned long h = zsx_core_malloc(pool.get(), size, 0, -1);
		EXPECT_EQ(h, (unsigned long)-12L) << "budget " << budget;
	}
	host::page_alloc_budget = -1;
	EXPECT_EQ(zsx_core_total_pages(pool.get()), 0u);
	EXPECT_EQ(host::handles_live.load(), handles);
	EXPECT_EQ(host::pages_live.load(), 0);
}

TEST(PoolErrors, DestroyWithLiveObjectsFreesEverything)
{
	long handles = host::handles_live.load();
	int err;
	zsx_core_pool *p = zsx_core_pool_create(8, ZSX_CORE_FREE_BASE, 0, &err);
	for (unsigned long s = 16; s <= kPage; s += 97)
		ASSERT_FALSE(is_err(zsx_core_malloc(p, s, 0, -1)));
	zsx_core_pool_destroy(p);
	EXPECT_EQ(host::pages_live.load(), 0);
	EXPECT_EQ(host::handles_live.load(), handles);
}

// Teardown drops the locks between zspages and reschedules there (the
// hosted cond_resched aborts if a lock is held).
TEST(PoolErrors, DestroyReschedulesBetweenZspages)
{
	long handles = host::handles_live.load();
	int err;
	zsx_core_pool *p = zsx_core_pool_create(ZSX_CHAIN_SIZE, ZSX_CORE_FREE_BASE, 0, &err);
	ASSERT_EQ(err, 0);
	constexpr unsigned long kSize = 200;
	unsigned long objs = 0;
	while (zsx_core_total_pages(p) < 64) {
		ASSERT_FALSE(is_err(zsx_core_malloc(p, kSize, 0, -1)));
		objs++;
	}
	struct zsx_core_class_stats cs;
	ASSERT_EQ(zsx_core_pool_class_stats(p, zsx_core_pool_class_index(p, kSize), &cs), 0);
	unsigned long zspages = 0;
	for (unsigned long g : cs.groups)
		zspages += g;
	ASSERT_GT(zspages, 4u);
	long resched = host::cond_resched_calls.load();
	zsx_core_pool_destroy(p);
	EXPECT_GE(host::cond_resched_calls.load() - resched, long(zspages));
	EXPECT_EQ(host::pages_live.load(), 0);
	EXPECT_EQ(host::handles_live.load(), handles) << objs << " live objects";
}

TEST(PoolClasses, HandleCarriesItsClass)
{
	auto pool = make_pool(ZSX_CORE_FREE_BASE);
	for (unsigned long size : {1ul, 100ul, 1000ul, kPage / 2, kPage}) {
		unsigned long h = zsx_core_malloc(pool.get(), size, 0, -1);
		unsigned long pfn;
		unsigned idx, cls;
		ASSERT_EQ(zsx_core_handle_location(pool.get(), h, &pfn, &idx, &cls), 0);
		EXPECT_EQ((int)cls, zsx_core_pool_class_index(pool.get(), size));
		unsigned long obj = *reinterpret_cast<unsigned long *>(h);
		unsigned long dpfn;
		unsigned dcls, didx;
		zsx_core_obj_decode(obj, &dpfn, &dcls, &didx);
		EXPECT_EQ(dpfn, pfn);
		if (zsx_core_has_classidx()) {
			EXPECT_EQ(dcls, cls) << "obj must encode the class index";
		}
		zsx_core_free(pool.get(), h);
	}
}

} // namespace
