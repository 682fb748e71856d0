#pragma once
// The caching allocator of each CUDA device, over cudaMalloc. TAPEFLOW_CUDA_ALLOCATOR=cudaMalloc makes it
// a pass-through (one cudaMalloc/cudaFree per buffer, of its exact size) for compute-sanitizer runs.
#include "engine/memory/caching_allocator.h"

namespace tapeflow::memory {

// Created on first use; the first call also makes it the scratch allocator of cuBLAS/cuDNN calls.
// Only in builds with CUDA.
CachingAllocator& cuda_allocator(int device);

// TAPEFLOW_CUDA_ALLOCATOR's value: unset, "" or "caching" -> kCaching; "cudaMalloc" -> kPassThrough;
// anything else is an Error that lists the choices.
CachingAllocator::Mode cuda_allocator_mode(const char* env_value);

}  // namespace tapeflow::memory
