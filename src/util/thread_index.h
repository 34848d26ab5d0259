// A small number for the calling thread, unique in the process for the
// thread's whole life: it indexes per-thread slots that an object owns, so
// that each slot has one writer and needs no lock. Threads are numbered in
// the order they first ask, from 0.
#ifndef TOKENWARDEN_UTIL_THREAD_INDEX_H_
#define TOKENWARDEN_UTIL_THREAD_INDEX_H_

#include <cstddef>

namespace tokenwarden {

// Defined in one .cc, so that every shared library asks the same counter.
size_t ThisThreadIndex();

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_THREAD_INDEX_H_
