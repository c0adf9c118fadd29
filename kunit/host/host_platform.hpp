// SPDX-License-Identifier: GPL-2.0
// Knobs and counters of the hosted platform (HostedPlatform, host_platform_face.hpp), for tests.
#pragma once
#include <atomic>
#include <mutex>

namespace host {
constexpr int kCpus = 4;                    // host "CPUs" for per-CPU data
int this_cpu();                             // this thread's CPU slot
void pin_to_cpu(int cpu);                   // choose it (before first use)
std::mutex &cpu_lock(int cpu);              // "IRQs off" on that CPU
extern std::atomic<bool> cpu_up[kCpus];     // online (a pool prepares rings for online CPUs; later ones: cpu_prepare)
extern std::atomic<long> large_zallocs;     // live zalloc_large blocks
extern std::atomic<bool> zalloc_large_fail; // zalloc_large fails while set
extern std::atomic<unsigned long> largest_zalloc;  // the largest zalloc (kmalloc) request seen
extern thread_local long t_lock_calls;             // spin/rw locks this thread took or tried
int cpu_area_depth();                              // per-CPU buffer gets not yet put on this thread
extern std::atomic<long long> local_clock_skew_ns; // now_ns() on CPU k is off by k * this
extern std::atomic<bool> migrate_on_resched;       // cond_resched moves the thread to the next CPU
extern thread_local bool t_in_irq;                 // this thread plays an interrupt handler
extern thread_local bool t_in_hardirq;             // ... a hard one (with t_in_irq): no allocation
extern thread_local bool t_irqs_disabled;          // this thread plays a task that disabled IRQs (spin_lock_irqsave)
extern std::atomic<long> warnings;                 // warn calls
extern std::atomic<long> warnings_by_kind[];       // ... per enum zsx_misuse kind
extern std::atomic<long> forbidden_lock_waits;     // locks waited for by t_in_irq / t_irqs_disabled threads
extern std::atomic<long> irq_allocations;          // allocations in a hard interrupt
extern std::atomic<long> drainer_locks;            // locks taken by deferred-free drainers
extern thread_local bool t_drainer;
extern std::atomic<long> page_alloc_budget;  // pages that may still be allocated; <0 unlimited
extern std::atomic<long> pages_live;         // data pages currently allocated
extern std::atomic<long> handles_live;       // handles currently allocated
extern std::atomic<long> cond_resched_calls; // cond_resched calls (each checks no lock is held)
extern std::atomic<long> release_busy_every; // every Nth page release finds the page "locked"
extern std::atomic<bool> work_gate_closed;   // work items wait while this is set
extern std::atomic<long> work_delay_scale;   // delayed work waits delay_ms * this (0: no delay)
bool host_migrate_pfn(unsigned long pfn);    // play the VM: migrate the page at pfn
// trace hooks: events counted (set zsx_plat_trace_active, platform_abi.h, to turn them on)
extern std::atomic<unsigned long> trace_free_by_path[8], trace_mallocs, trace_zspages_locked, trace_zspages_unlocked,
	trace_drained, trace_drains, trace_compact_pages, trace_migrated_objects;
void trace_reset();
} // namespace host
