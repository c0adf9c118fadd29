// SPDX-License-Identifier: GPL-2.0
// Randomized model test of the pool: mallocs, writes, frees (synchronous and deferred), flushes,
// compactions, page migrations, read-backs and CPU switches at random, checked against a model
// (handle -> size, pattern key) and the pool's counters where they are exact. ZSX_MODEL_SEED=<n>
// replays a run (default: from the clock; failures name the seed); ZSX_MODEL_OPS=<n> sets the
// operations of each single-threaded run (each thread of the threaded run, which TSan exercises, does
// 1/kThreadShare of that).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#include <sanitizer/common_interface_defs.h>
#define MODEL_DEATH_CALLBACK 1
#endif

#include "core.h"
#include "host_platform.hpp"
#include "platform_abi.h"

#if defined(__SANITIZE_THREAD__)
#define MODEL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MODEL_TSAN 1
#endif
#endif

namespace {

constexpr unsigned long kPage = 1ul << ZSX_PAGE_SHIFT;
// the operations of all single-threaded instances together, each doing its share: the model
// tests take at most ~20 s on 2 cores (bigger pages: bigger objects, fewer operations)
#ifdef MODEL_TSAN
constexpr unsigned long kBudget = 400000, kThreadShare = 2; // threads are what TSan is run for
#else
constexpr unsigned long kBudget = 2400000ul * 4096 / kPage, kThreadShare = 10;
#endif
constexpr unsigned long kCap = kPage <= 4096 ? 3000 : 1000; // live objects at most, single-threaded

template <class... A> std::string str(const A &...a)
{
	std::ostringstream s;
	(s << ... << a);
	return s.str();
}

unsigned long env_or(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtoul(v, nullptr, 0) : dflt;
}

unsigned nr_classes()
{
	struct zsx_layout_info l;
	zsx_core_layout(&l);
	return l.nr_classes;
}

struct Rng { // splitmix64: one word of state, so a seed replays the same operations
	uint64_t s;
	uint64_t next()
	{
		uint64_t z = (s += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		return z ^ (z >> 31);
	}
	unsigned long below(unsigned long n) { return next() % n; }
};

// a sanitizer report ends the process before gtest prints anything: name the seed
std::atomic<uint64_t> g_seed;
std::atomic<long> g_op{-1};
#ifdef MODEL_DEATH_CALLBACK
void on_sanitizer_death()
{
	fprintf(stderr, "zsx model test died: seed=%" PRIu64 " op=%ld (replay: ZSX_MODEL_SEED=%" PRIu64 ")\n",
		g_seed.load(), g_op.load(), g_seed.load());
}
#endif

uint64_t pick_seed()
{
	static std::atomic<uint64_t> instance{0};
	uint64_t now = uint64_t(std::chrono::system_clock::now().time_since_epoch().count());
	g_seed = getenv("ZSX_MODEL_SEED") ? env_or("ZSX_MODEL_SEED", 0) : Rng{now + instance++}.next();
#ifdef MODEL_DEATH_CALLBACK
	__sanitizer_set_death_callback(on_sanitizer_death);
#endif
	return g_seed;
}

// the bytes an object with pattern key `key` holds
void pattern(unsigned char *buf, unsigned long n, uint64_t key)
{
	Rng r{key};
	for (unsigned long i = 0; i < n; i += 8) {
		uint64_t w = r.next();
		memcpy(buf + i, &w, n - i < 8 ? n - i : 8);
	}
}

// request sizes: mostly what compressed pages weigh, some tiny, some huge-class
unsigned long pick_size(Rng &r, unsigned long huge)
{
	unsigned k = unsigned(r.below(100));
	if (k < 10)
		return 1 + r.below(96);
	if (k < 70)
		return kPage / 16 + r.below(kPage / 3) + r.below(kPage / 3);
	if (k < 85)
		return 1 + r.below(kPage);
	return k < 97 ? huge + r.below(kPage - huge + 1) : kPage;
}

struct Obj {
	unsigned long h, size;
	uint64_t key; // it holds pattern(size, key)
	int cls;
};

// One thread's live objects, what each holds, and counts per class. Records
// the first mismatch in err (workers of the threaded run do not use gtest).
struct Model {
	zsx_core_pool *p;
	Rng rng;
	bool alone; // the pool's only user: per-class counters are checked after each malloc and free
	bool rings; // deferred frees park (else they are synchronous)
	std::vector<Obj> objs;
	std::unordered_map<unsigned long, size_t> at; // handle -> index in objs
	std::vector<unsigned long> live_c, parked_c;  // per class: live, deferred since the last flush
	std::vector<unsigned char> want = std::vector<unsigned char>(kPage), local = want;
	unsigned long gen = 0, op = 0, parked = 0, deferred = 0, huge;
	std::string err;

	Model(zsx_core_pool *pool, uint64_t seed, bool only, bool parks)
		: p(pool), rng{seed}, alone(only), rings(parks), live_c(nr_classes()), parked_c(nr_classes()),
		  huge(zsx_core_pool_huge_class_size(pool))
	{}
	bool fail(const std::string &what)
	{
		if (err.empty())
			err = op == ~0ul ? what : str("op ", op, ": ", what);
		return false;
	}
	std::string about(const Obj &o)
	{
		return str("handle ", std::hex, o.h, std::dec, " size ", o.size, " class ", o.cls);
	}
	Obj &any() { return objs[rng.below(objs.size())]; }
	void write(Obj &o) // a new generation's pattern, through write() or map(RW or WO)
	{
		o.key = Rng{o.h ^ (++gen << 20)}.next();
		pattern(want.data(), o.size, o.key);
		if (rng.below(2))
			return zsx_core_write(p, o.h, want.data(), o.size);
		if (void *m = zsx_core_map(p, o.h, rng.below(2) ? 0 : 2))
			memcpy(m, want.data(), o.size);
		else
			fail("map for write refused: " + about(o));
		zsx_core_unmap(p, o.h);
	}
	bool verify(const Obj &o) // through read_begin or map(RO)
	{
		pattern(want.data(), o.size, o.key);
		bool read = rng.below(2);
		void *mem = read ? zsx_core_read_begin(p, o.h, o.size, local.data()) : zsx_core_map(p, o.h, 1);
		bool ok = mem && memcmp(mem, want.data(), o.size) == 0;
		read ? zsx_core_read_end(p, o.h, mem) : zsx_core_unmap(p, o.h);
		return ok || fail("object bytes differ from the model: " + about(o));
	}
	// a class's counters: parked objects count as live until a drainer frees them
	bool check_class(int c)
	{
		struct zsx_core_class_stats cs;
		if (!alone)
			return true;
		if (zsx_core_pool_class_stats(p, c, &cs))
			return fail(str("no stats for class ", c));
		unsigned long zspages = std::accumulate(std::begin(cs.groups), std::end(cs.groups), 0ul);
		if (cs.obj_used < live_c[c] || cs.obj_used > live_c[c] + parked_c[c])
			return fail(str("class ", c, ": ", cs.obj_used, " objects in use, model ", live_c[c],
					" live and ", parked_c[c], " parked"));
		if (cs.obj_allocated != zspages * cs.objs_per_zspage || cs.groups[0] != 0)
			return fail(str("class ", c, ": ", cs.obj_allocated, " objects in ", zspages, " zspages (",
					cs.objs_per_zspage, " each), ", cs.groups[0], " empty zspages kept"));
		return true;
	}
	bool alloc()
	{
		unsigned long size = pick_size(rng, huge), h = zsx_core_malloc(p, size, 0, -1);
		if (h == 0 || h >= (unsigned long)-4095L)
			return fail(str("malloc(", size, ") failed: ", long(h)));
		Obj o{h, size, 0, zsx_core_pool_class_index(p, size)};
		if (!at.emplace(h, objs.size()).second)
			return fail("malloc returned a live handle: " + about(o));
		objs.push_back(o);
		live_c[o.cls]++;
		write(objs.back());
		return check_class(o.cls);
	}
	bool free_one(bool defer) // a random object: verified, out of the model, freed
	{
		size_t k = rng.below(objs.size());
		Obj o = objs[k];
		verify(o);
		at.erase(o.h);
		if (k + 1 != objs.size())
			at[(objs[k] = objs.back()).h] = k;
		objs.pop_back();
		live_c[o.cls]--;
		(defer ? zsx_core_free_deferred : zsx_core_free)(p, o.h);
		deferred += defer;
		parked_c[o.cls] += defer && rings;
		parked += defer && rings;
		return check_class(o.cls);
	}
	void flushed() { std::fill(parked_c.begin(), parked_c.end(), parked = 0); }
	// play the VM: migrate the page holding o's start; it must succeed if nobody else maps objects
	bool migrate(Obj &o)
	{
		unsigned long pfn0 = 0, pfn1 = 0;
		unsigned i0 = 0, i1 = 0, c;
		zsx_plat_page *page = zsx_core_handle_page(p, o.h);
		if (alone)
			zsx_core_handle_location(p, o.h, &pfn0, &i0, &c);
		bool ok = page && host::host_migrate_pfn(zsx_plat_page_to_pfn(page));
		if (alone && !ok)
			return fail("migration refused: " + about(o));
		if (alone && (zsx_core_handle_location(p, o.h, &pfn1, &i1, &c) || pfn1 == pfn0 || i1 != i0))
			return fail("handle not moved to the new page: " + about(o));
		return verify(o);
	}
	// one of a thread's own operations (k: 0..92): malloc or free toward target live objects,
	// write, verify or migrate
	void step(unsigned k, unsigned long target)
	{
		if (k < 45 || objs.empty()) {
			if (objs.empty() || rng.below(10) < (objs.size() < target ? 7u : 3u))
				alloc();
			else
				free_one(rng.below(2));
		} else if (k < 57) {
			write(any());
		} else if (k < 88) {
			verify(any());
		} else {
			migrate(any());
		}
	}
};

// After a flush nothing is parked: every counter must match the models exactly.
std::string exact_mismatch(zsx_core_pool *p, const std::vector<Model *> &ms, long handles0, long pages0)
{
	zsx_core_deferred_flush(p);
	zsx_plat_flush_deferred_releases(); // zspages whose page release found the page locked
	std::string out;
	unsigned long live = 0, pages = 0, total = zsx_core_total_pages(p), in_use = zsx_core_objects_in_use(p);
	for (Model *m : ms) {
		live += m->objs.size();
		m->flushed();
	}
	for (unsigned c = 0; c < nr_classes(); ++c) {
		struct zsx_core_class_stats cs;
		if (zsx_core_pool_class_stats(p, c, &cs))
			continue; // a merged slot
		unsigned long want = 0;
		for (Model *m : ms)
			want += m->live_c[c];
		if (cs.obj_used != want)
			out += str("class ", c, ": ", cs.obj_used, " objects in use, model ", want, "; ");
		pages += cs.pages_used;
	}
	if (pages != total)
		out += str("the classes hold ", pages, " pages, the pool counts ", total, "; ");
	if (in_use != live)
		out += str(in_use, " objects in use, model ", live, "; ");
	if (host::handles_live.load() - handles0 != long(live))
		out += str(host::handles_live.load() - handles0, " handles allocated, model ", live, "; ");
	if (host::pages_live.load() - pages0 != long(total))
		out += str(host::pages_live.load() - pages0, " pages allocated, the pool counts ", total, "; ");
	return out;
}

struct Param {
	int policy;
	unsigned per_cpu; // deferred freeing: each CPU's ring task limit (0: off)
};
void PrintTo(const Param &p, std::ostream *os) { *os << "policy " << p.policy << ", per_cpu " << p.per_cpu; }

std::vector<Param> params()
{
	std::vector<Param> out;
	for (int policy : {ZSX_CORE_FREE_BASE, ZSX_CORE_FREE_CLASSIDX, ZSX_CORE_FREE_CLASSIDX_UNLOCKED})
		if (policy == ZSX_CORE_FREE_BASE || zsx_core_has_classidx()) // narrow: base only
			for (unsigned per_cpu : {0u, 128u})
				out.push_back({policy, per_cpu});
	return out;
}

std::string param_name(const ::testing::TestParamInfo<Param> &i)
{
	static const char *const names[] = {"base", "classidx", "classidx_unlocked_free"};
	return str(names[i.param.policy], i.param.per_cpu ? "_rings" : "_sync");
}

class ModelPool : public ::testing::TestWithParam<Param> {
protected:
	uint64_t seed = pick_seed();
	Rng setup{seed};
	unsigned chain = setup.below(2) ? ZSX_CHAIN_SIZE : 4 + unsigned(setup.below(13));
	long handles0 = host::handles_live.load(), pages0 = host::pages_live.load(), warnings0 = host::warnings.load();
	int cpu0 = host::this_cpu();
	bool rings = GetParam().per_cpu != 0;
	zsx_core_pool *p = nullptr;

	void SetUp() override
	{
		int err = 0;
		p = zsx_core_pool_create(chain, GetParam().policy, GetParam().per_cpu, &err);
		ASSERT_TRUE(p) << "pool create: " << err;
		printf("[  MODEL   ] seed=%" PRIu64 " chain %u\n", seed, chain);
	}
	// verify and free what is left: the pool must then be empty and give everything back
	void finish(const std::vector<Model *> &ms)
	{
		EXPECT_EQ(exact_mismatch(p, ms, handles0, pages0), "") << "counters before the final frees";
		unsigned long deferred = 0;
		for (Model *m : ms) {
			bool clean = m->err.empty(); // else already reported
			m->op = ~0ul;
			for (const Obj &o : m->objs)
				m->verify(o);
			while (!m->objs.empty())
				m->free_one(m->rng.below(2));
			EXPECT_TRUE(!clean || m->err.empty())
				<< m->err << ", verifying and freeing every object at the end";
			deferred += m->deferred;
		}
		zsx_core_deferred_flush(p);
		EXPECT_EQ(zsx_core_objects_in_use(p), 0u) << "objects left after freeing every one";
		EXPECT_EQ(zsx_core_total_pages(p), 0u) << "pages left after freeing every object";
		EXPECT_EQ(host::handles_live.load(), handles0) << "handles not given back";
		struct zsx_core_deferred_stats st;
		if (zsx_core_deferred_stats(p, &st) == 0) {
			EXPECT_EQ(st.enqueued + st.fallbacks + st.spilled, deferred) << "deferred frees not accounted";
			EXPECT_EQ(st.drained, st.enqueued + st.spilled) << "a parked handle was lost or freed twice";
			EXPECT_EQ(st.pending, 0u) << "handles still parked after a flush";
		}
		EXPECT_EQ(host::warnings.load(), warnings0) << "the pool warned about a correct caller";
		zsx_core_pool_destroy(p);
		zsx_plat_flush_deferred_releases();
		EXPECT_EQ(host::pages_live.load(), pages0) << "pages not given back at destroy";
		host::pin_to_cpu(cpu0);
		g_op = -1;
	}
};

TEST_P(ModelPool, RandomOpsMatchTheModel)
{
	SCOPED_TRACE(str("seed=", seed, " chain ", chain, " (replay: ZSX_MODEL_SEED=", seed, ")"));
	const unsigned long ops = env_or("ZSX_MODEL_OPS", kBudget / params().size());
	Model m(p, setup.next(), true, rings);
	unsigned long target = 0;
	for (unsigned long i = 0; i < ops && m.err.empty(); ++i) {
		m.op = i;
		g_op.store(long(i), std::memory_order_relaxed);
		if (i % 4096 == 0) // grow and shrink phases: sparse zspages for compaction
			target = m.rng.below(kCap + 1);
		unsigned k = unsigned(m.rng.below(100));
		if (k < 93) {
			m.step(k, target);
		} else if (k < 97) {
			host::pin_to_cpu(int(m.rng.below(host::kCpus)));
		} else if (k < 98) { // with nothing parked no drainer frees meanwhile: the count is exact
			unsigned long before = zsx_core_total_pages(p), freed = zsx_core_compact(p);
			unsigned long after = zsx_core_total_pages(p);
			if (!m.parked && freed != before - after)
				m.fail(str("compact returned ", freed, ", pages went from ", before, " to ", after));
		} else if (k < 99) {
			zsx_core_deferred_flush(p);
			m.flushed();
		} else {
			zsx_core_deferred_kick(p); // the shrinker's path: drained soon, not waited for
		}
		unsigned long in_use = i % 64 ? 0 : zsx_core_objects_in_use(p);
		if (i % 64 == 0 && (in_use < m.objs.size() || in_use > m.objs.size() + m.parked))
			m.fail(str(in_use, " objects in use, model ", m.objs.size(), " live and ", m.parked,
				   " parked"));
		if (i % 100000 == 99999 || m.rng.below(50000) == 0) { // exact counters, every object's bytes
			std::string bad = exact_mismatch(p, {&m}, handles0, pages0);
			if (!bad.empty())
				m.fail(bad);
			for (const Obj &o : m.objs)
				m.verify(o);
		}
	}
	EXPECT_EQ(m.err, "");
	finish({&m});
}

// 2-4 threads, each with its own objects and CPU, and one that compacts,
// flushes and kicks the drainers; exact counters once they are done.
TEST_P(ModelPool, ThreadsWithCompactionMatchTheModel)
{
	SCOPED_TRACE(str("seed=", seed, " chain ", chain, " (replay: ZSX_MODEL_SEED=", seed, ")"));
	const unsigned long ops = env_or("ZSX_MODEL_OPS", kBudget / params().size()) / kThreadShare;
	const int nthreads = 2 + int(setup.below(3));
	std::vector<Model> owned;
	std::vector<Model *> ms;
	owned.reserve(nthreads); // no reallocation: ms points into it
	for (int t = 0; t < nthreads; ++t)
		ms.push_back(&owned.emplace_back(p, setup.next(), false, rings));
	std::atomic<bool> stop{false};
	std::thread maint([&, r = Rng{setup.next()}]() mutable {
		host::pin_to_cpu(host::kCpus - 1);
		for (unsigned long k; !stop.load(); std::this_thread::yield()) {
			if ((k = r.below(4)) == 0)
				zsx_core_compact(p);
			else if (k == 1)
				zsx_core_deferred_flush(p);
			else if (k == 2)
				zsx_core_deferred_kick(p);
			else
				zsx_core_objects_in_use(p); // takes every class lock
		}
	});
	std::vector<std::thread> ts;
	for (int t = 0; t < nthreads; ++t)
		ts.emplace_back([&, m = ms[t], t] {
			host::pin_to_cpu(t);
			for (unsigned long i = 0; i < ops && m->err.empty(); ++i) {
				m->op = i; // migration may be refused here: another thread's object may be mapped
				m->step(unsigned(m->rng.below(93)), 400);
			}
		});
	for (auto &t : ts)
		t.join();
	stop = true;
	maint.join();
	for (int t = 0; t < nthreads; ++t)
		EXPECT_EQ(ms[t]->err, "") << "thread " << t << " of " << nthreads;
	finish(ms);
}

INSTANTIATE_TEST_SUITE_P(Model, ModelPool, ::testing::ValuesIn(params()), param_name);

} // namespace
