#pragma once
// Data movement kernels: permute, box copies (slice and its backward), concat, gather/scatter, one_hot.
// Element-size generic where the op is pure movement. CPU implementations in kernels/cpu/array.cpp,
// CUDA ones in kernels/cuda/array.cu.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tapeflow::kernels {
namespace cpu {

// y = x with dims permuted: y.dims[i] = x.dims[perm[i]]. rank <= 8; elem_size 1, 2, 4 or 8.
void permute(const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims, const int* perm);

// Copies the box [begin, begin + box) of x (dims x_dims) into the dense y (dims box).
void copy_box(const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims, const int64_t* begin,
              const int64_t* box);
// The reverse: writes the dense x (dims box) into the box [begin, begin + box) of y (dims y_dims),
// leaving the rest of y untouched.
void paste_box(const void* x, void* y, size_t elem_size, int rank, const int64_t* y_dims, const int64_t* begin,
               const int64_t* box);

// out is [outer, sum(chunks)] bytes-wise: row o is the concatenation of row o of every source, where
// source i contributes chunk_bytes[i] bytes per row.
void concat_rows(const std::vector<const void*>& sources, const std::vector<int64_t>& chunk_bytes, int64_t outer,
                 void* out);

// params [outer, n, inner] (elements of elem_size) gathered by `index` (m ids in [0, n)) into
// out [outer, m, inner]. Returns the first out-of-range position, or -1.
int64_t gather(const void* params, const int64_t* index, void* out, size_t elem_size, int64_t outer, int64_t n,
               int64_t inner, int64_t m);
// grad_params [outer, n, inner] (zeroed by the caller) += grad_out [outer, m, inner] scattered by index.
void scatter_add(const float* grad_out, const int64_t* index, float* grad_params, int64_t outer, int64_t n,
                 int64_t inner, int64_t m);

// out [m, depth]: on_value at index[i], off_value elsewhere (all off for an index outside [0, depth)).
void one_hot(const int64_t* index, float* out, int64_t m, int64_t depth, float on_value, float off_value);

}  // namespace cpu

// The same on CUDA device `device` (data pointers in its memory; dims, perms and the source list on
// the host), queued on its compute stream.
namespace cuda {

void permute(int device, const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims, const int* perm);
void copy_box(int device, const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims,
              const int64_t* begin, const int64_t* box);
void paste_box(int device, const void* x, void* y, size_t elem_size, int rank, const int64_t* y_dims,
               const int64_t* begin, const int64_t* box);
void concat_rows(int device, const std::vector<const void*>& sources, const std::vector<int64_t>& chunk_bytes,
                 int64_t outer, void* out);
// As the CPU's, except that out-of-range positions are written as zeros rather than nothing, and the
// first is reported to the device's bad-input slot (kernels/cuda/bad_input.cuh): the error is thrown by
// the host's next wait on the device, so the call itself never waits.
void gather(int device, const void* params, const int64_t* index, void* out, size_t elem_size, int64_t outer,
            int64_t n, int64_t inner, int64_t m);
// Repeated indices add atomically, so their order (and the last bits of the sum) may vary; with
// `deterministic`, each grad_params element sums its rows in index order instead, as the CPU does, at the
// cost of reading every index once per element. Indices outside [0, n) add nothing (the forward gather
// reported them).
void scatter_add(int device, const float* grad_out, const int64_t* index, float* grad_params, int64_t outer, int64_t n,
                 int64_t inner, int64_t m, bool deterministic = false);
void one_hot(int device, const int64_t* index, float* out, int64_t m, int64_t depth, float on_value, float off_value);

}  // namespace cuda
}  // namespace tapeflow::kernels
