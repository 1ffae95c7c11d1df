// The native bench tools time round after round, as the wasm side does. A wasm Memory never
// shrinks, so wasm rounds after the first reuse pages already touched; glibc instead hands blocks
// over 32 MB (item_knn's lists on MovieLens) back to the OS when they are freed, and the next round
// pays the kernel for fresh zeroed pages again: on the bench machine, more than half of item_knn's
// native fit on ml-latest-small. Keeping freed memory makes both sides time the computation; the
// warm-up round still pays for fresh memory on both.
#pragma once

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

inline void keepFreedMemoryLikeWasm() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);                 // large blocks from the heap, which free() keeps...
  mallopt(M_TRIM_THRESHOLD, 2147483647);  // ...without trimming its top back to the OS
#endif
}
