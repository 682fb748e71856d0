#pragma once
// TAPEFLOW_HOST_DEVICE marks a function that the CPU and CUDA kernels share: compiled for both by nvcc,
// a plain function elsewhere.
#ifdef __CUDACC__
#define TAPEFLOW_HOST_DEVICE __host__ __device__
#else
#define TAPEFLOW_HOST_DEVICE
#endif
