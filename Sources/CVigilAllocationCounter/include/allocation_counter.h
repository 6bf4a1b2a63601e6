#ifndef VIGIL_ALLOCATION_COUNTER_H
#define VIGIL_ALLOCATION_COUNTER_H

/// Heap allocations (malloc, calloc, realloc, aligned_alloc, posix_memalign, memalign) made so far
/// by the calling thread. Test support only: linking this target replaces the process's allocation
/// entry points with counting wrappers around glibc's own.
unsigned long vigil_thread_allocations(void);

#endif
