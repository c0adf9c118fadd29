// SPDX-License-Identifier: GPL-2.0
// Memory ordering for the zsx core: every access names its order.
// Thin wrappers over the __atomic builtins (which KCSAN understands when the
// core is built with the kernel's sanitizer flags). No <atomic>: it drags in
// hosted machinery the kernel does not have.
#pragma once

#include "types.hpp"

namespace zsx {

template <class T> inline T load_relaxed(const T *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
template <class T> inline T load_acquire(const T *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
template <class T> inline void store_relaxed(T *p, T v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
template <class T> inline void store_release(T *p, T v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
template <class T> inline T add_relaxed(T *p, T v) { return __atomic_add_fetch(p, v, __ATOMIC_RELAXED); }
template <class T> inline T sub_release(T *p, T v) { return __atomic_sub_fetch(p, v, __ATOMIC_RELEASE); }
template <class T> inline T xchg_acq_rel(T *p, T v) { return __atomic_exchange_n(p, v, __ATOMIC_ACQ_REL); }

} // namespace zsx
