// SPDX-License-Identifier: GPL-2.0
// Hosted implementation of the zsx platform interface (platform_abi.h):
// pthread locks, malloc'd pages with a PFN table, thread-local bounce buffers.
#include "host_platform.hpp"

#include <pthread.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "platform_abi.h"

struct zsx_plat_spinlock {
	pthread_mutex_t m;
};
struct zsx_plat_rwlock {
	pthread_rwlock_t l;
};
struct zsx_plat_page {
	void *mem;
	void *owner;
	unsigned long pfn;
};

namespace host {
std::atomic<long> warnings{0};
std::atomic<long> page_alloc_budget{-1}; // <0: unlimited
std::atomic<long> pages_live{0};
std::atomic<long> handles_live{0};
} // namespace host

namespace {
constexpr unsigned long kPageSize = 1ul << ZSX_PAGE_SHIFT;
std::mutex g_pfn_mutex;
std::vector<zsx_plat_page *> g_by_pfn(1, nullptr); // pfn 0 is never handed out
std::vector<unsigned long> g_free_pfns;
alignas(64) thread_local unsigned char t_cpu_area[(1ul << ZSX_PAGE_SHIFT) + 64];
thread_local int t_cpu_area_depth;
} // namespace

extern "C" {

struct zsx_plat_spinlock *zsx_plat_lock_new(void)
{
	auto *l = new zsx_plat_spinlock;
	pthread_mutex_init(&l->m, nullptr);
	return l;
}
void zsx_plat_lock_delete(struct zsx_plat_spinlock *l) { pthread_mutex_destroy(&l->m); delete l; }
void zsx_plat_lock(struct zsx_plat_spinlock *l) { pthread_mutex_lock(&l->m); }
void zsx_plat_unlock(struct zsx_plat_spinlock *l) { pthread_mutex_unlock(&l->m); }
int zsx_plat_lock_contended(struct zsx_plat_spinlock *) { return 0; }

struct zsx_plat_rwlock *zsx_plat_rwlock_new(void)
{
	auto *l = new zsx_plat_rwlock;
	pthread_rwlock_init(&l->l, nullptr);
	return l;
}
void zsx_plat_rwlock_delete(struct zsx_plat_rwlock *l) { pthread_rwlock_destroy(&l->l); delete l; }
void zsx_plat_read_lock(struct zsx_plat_rwlock *l) { pthread_rwlock_rdlock(&l->l); }
void zsx_plat_read_unlock(struct zsx_plat_rwlock *l) { pthread_rwlock_unlock(&l->l); }
void zsx_plat_write_lock(struct zsx_plat_rwlock *l) { pthread_rwlock_wrlock(&l->l); }
void zsx_plat_write_unlock(struct zsx_plat_rwlock *l) { pthread_rwlock_unlock(&l->l); }

void *zsx_plat_zalloc(unsigned long size, unsigned int) { return calloc(1, size); }
void zsx_plat_free(void *p) { ::free(p); }

unsigned long *zsx_plat_handle_alloc(unsigned int)
{
	host::handles_live++;
	return static_cast<unsigned long *>(calloc(1, sizeof(unsigned long)));
}
void zsx_plat_handle_free(unsigned long *h)
{
	host::handles_live--;
	::free(h);
}

struct zsx_plat_page *zsx_plat_page_alloc(unsigned int, int)
{
	long budget = host::page_alloc_budget.load();
	while (budget >= 0) {
		if (budget == 0)
			return nullptr;
		if (host::page_alloc_budget.compare_exchange_weak(budget, budget - 1))
			break;
	}
	auto *p = new zsx_plat_page;
	p->mem = aligned_alloc(kPageSize, kPageSize);
	memset(p->mem, 0x5a, kPageSize);
	p->owner = nullptr;
	std::lock_guard<std::mutex> g(g_pfn_mutex);
	if (!g_free_pfns.empty()) {
		p->pfn = g_free_pfns.back();
		g_free_pfns.pop_back();
		g_by_pfn[p->pfn] = p;
	} else {
		p->pfn = g_by_pfn.size();
		g_by_pfn.push_back(p);
	}
	host::pages_live++;
	return p;
}

void zsx_plat_page_free(struct zsx_plat_page *p)
{
	{
		std::lock_guard<std::mutex> g(g_pfn_mutex);
		g_by_pfn[p->pfn] = nullptr;
		g_free_pfns.push_back(p->pfn);
	}
	host::pages_live--;
	::free(p->mem);
	delete p;
}

unsigned long zsx_plat_page_to_pfn(struct zsx_plat_page *p) { return p->pfn; }
struct zsx_plat_page *zsx_plat_pfn_to_page(unsigned long pfn)
{
	std::lock_guard<std::mutex> g(g_pfn_mutex);
	return pfn < g_by_pfn.size() ? g_by_pfn[pfn] : nullptr;
}
void *zsx_plat_kmap(struct zsx_plat_page *p) { return p->mem; }
void zsx_plat_kunmap(void *) {}
void zsx_plat_page_set_owner(struct zsx_plat_page *p, void *zspage) { p->owner = zspage; }
void *zsx_plat_page_owner(struct zsx_plat_page *p) { return p ? p->owner : nullptr; }

void *zsx_plat_cpu_buffer_get(void)
{
	t_cpu_area_depth++;
	return t_cpu_area;
}
void zsx_plat_cpu_buffer_put(void) { t_cpu_area_depth--; }

void zsx_plat_warn(const char *what, unsigned long a, unsigned long b)
{
	host::warnings++;
	fprintf(stderr, "zsx-host WARN: %s (%#lx, %#lx)\n", what, a, b);
}
void zsx_plat_report(const char *what, unsigned long a, unsigned long b)
{
	fprintf(stderr, "zsx-host: %s (%lu, %lu)\n", what, a, b);
}
void zsx_plat_cond_resched(void) {}
unsigned long long zsx_plat_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

} // extern "C"
