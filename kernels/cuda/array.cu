// CUDA twins of kernels/cpu/array.cpp. Pure data movement is generic over the element size (a kernel
// per 1-, 2-, 4- and 8-byte element type); a permute that moves the contiguous dim is a batch of 2-D
// transposes through 32 x 32 shared-memory tiles, so that reads and writes are both coalesced.
#include <cstdint>
#include <stdexcept>

#include "kernels/array.h"
#include "kernels/cuda/bad_input.cuh"
#include "kernels/cuda/launch.cuh"
#include "kernels/permute_plan.h"

namespace tapeflow::kernels::cuda {

namespace {

constexpr int kMaxDims = 8;

// Calls f(T{}) with an unsigned type of `elem_size` bytes.
template <class F>
void visit_element(size_t elem_size, const char* op, F f) {
  switch (elem_size) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    case 8: return f(uint64_t{});
    default: throw std::invalid_argument(std::string(op) + ": element size must be 1, 2, 4 or 8 bytes");
  }
}

void contiguous_strides(int rank, const int64_t* dims, int64_t* strides) {
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = s;
    s *= dims[d];
  }
}

// An index space of `rank` dims whose element k sits at src + sum(k_d * src_strides[d]) and goes to
// dst + sum(k_d * dst_strides[d]): covers box copies and permutes that keep the last dim in place.
struct StridedCopy {
  int rank = 0;
  int64_t dims[kMaxDims] = {};
  int64_t src_strides[kMaxDims] = {};
  int64_t dst_strides[kMaxDims] = {};
  int64_t src_origin = 0, dst_origin = 0;
};

template <class T>
__global__ void strided_copy_kernel(StridedCopy c, int64_t n, const T* src, T* dst) {
  for (int64_t e = global_thread(); e < n; e += grid_threads()) {
    int64_t rem = e, s = c.src_origin, t = c.dst_origin;
    for (int d = c.rank - 1; d >= 0; --d) {
      const int64_t k = rem % c.dims[d];
      rem /= c.dims[d];
      s += k * c.src_strides[d];
      t += k * c.dst_strides[d];
    }
    dst[t] = src[s];
  }
}

void strided_copy(int device, const StridedCopy& c, const void* src, void* dst, size_t elem_size, const char* op) {
  int64_t n = 1;
  for (int d = 0; d < c.rank; ++d) n *= c.dims[d];
  if (n == 0) return;
  visit_element(elem_size, op, [&](auto tag) {
    using T = decltype(tag);
    strided_copy_kernel<<<grid_for(device, n), kThreads, 0, stream_for(device)>>>(c, n, static_cast<const T*>(src),
                                                                                  static_cast<T*>(dst));
  });
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

// --- permute ---


constexpr int kTile = 32, kTileRows = 8;  // a 32 x 8 block moves a 32 x 32 tile, 4 elements per thread

// A batch of 2-D transposes: y[batch_y + i * row_stride + j] = x[batch_x + i + j * col_stride] for
// i < rows, j < cols (x is contiguous along i, y along j). Batch b's offsets come from unravelling b
// over the batch dims.
struct TiledTranspose {
  int batch_rank = 0;
  int64_t batch_dims[kMaxDims] = {}, batch_x_strides[kMaxDims] = {}, batch_y_strides[kMaxDims] = {};
  int64_t rows = 0, cols = 0, row_stride = 0, col_stride = 0, row_tiles = 0, col_tiles = 0, tiles = 0;
};

template <class T>
__global__ void tiled_transpose_kernel(TiledTranspose t, const T* x, T* y) {
  __shared__ T tile[kTile][kTile + 1];  // +1: column reads hit 32 different banks
  for (int64_t id = blockIdx.x; id < t.tiles; id += gridDim.x) {  // uniform over the block
    const int64_t ct = id % t.col_tiles, rt = id / t.col_tiles % t.row_tiles;
    int64_t rem = id / (t.col_tiles * t.row_tiles), xs = 0, ys = 0;
    for (int d = t.batch_rank - 1; d >= 0; --d) {
      const int64_t k = rem % t.batch_dims[d];
      rem /= t.batch_dims[d];
      xs += k * t.batch_x_strides[d];
      ys += k * t.batch_y_strides[d];
    }
    const int64_t i0 = rt * kTile, j0 = ct * kTile;
    // Read: threadIdx.x runs along i, contiguous in x.
    const int64_t i = i0 + threadIdx.x;
    for (int jj = threadIdx.y; jj < kTile; jj += kTileRows) {
      const int64_t j = j0 + jj;
      if (i < t.rows && j < t.cols) tile[jj][threadIdx.x] = x[xs + i + j * t.col_stride];
    }
    __syncthreads();
    // Write: threadIdx.x runs along j, contiguous in y.
    const int64_t j = j0 + threadIdx.x;
    for (int ii = threadIdx.y; ii < kTile; ii += kTileRows) {
      const int64_t i_out = i0 + ii;
      if (i_out < t.rows && j < t.cols) y[ys + i_out * t.row_stride + j] = tile[threadIdx.x][ii];
    }
    __syncthreads();  // the tile is refilled by the next id
  }
}

}  // namespace

void permute(int device, const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims, const int* perm) {
  const Permutation p = coalesce(rank, x_dims, perm);
  int64_t n = 1;
  for (int d = 0; d < p.rank; ++d) n *= p.dims[d];
  if (n == 0) return;
  if (p.rank <= 1) {  // the identity
    TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(y, x, n * elem_size, cudaMemcpyDeviceToDevice, stream_for(device)));
    return;
  }
  const int r = p.rank;
  int64_t x_strides[kMaxDims], y_dims[kMaxDims], y_strides[kMaxDims], src[kMaxDims];  // src: x stride of output dim
  contiguous_strides(r, p.dims, x_strides);
  for (int i = 0; i < r; ++i) {
    y_dims[i] = p.dims[p.perm[i]];
    src[i] = x_strides[p.perm[i]];
  }
  contiguous_strides(r, y_dims, y_strides);
  if (p.perm[r - 1] == r - 1) {  // rows stay rows: an element-wise strided copy, coalesced on both sides
    StridedCopy c;
    c.rank = r;
    for (int i = 0; i < r; ++i) {
      c.dims[i] = y_dims[i];
      c.src_strides[i] = src[i];
      c.dst_strides[i] = y_strides[i];
    }
    return strided_copy(device, c, x, y, elem_size, "permute");
  }
  int q = 0;  // the output dim that x's contiguous dim lands on
  while (p.perm[q] != r - 1) ++q;
  TiledTranspose t;
  for (int i = 0; i < r - 1; ++i)
    if (i != q) {
      t.batch_dims[t.batch_rank] = y_dims[i];
      t.batch_x_strides[t.batch_rank] = src[i];
      t.batch_y_strides[t.batch_rank] = y_strides[i];
      ++t.batch_rank;
    }
  t.rows = y_dims[q];
  t.cols = y_dims[r - 1];
  t.row_stride = y_strides[q];
  t.col_stride = src[r - 1];
  t.row_tiles = (t.rows + kTile - 1) / kTile;
  t.col_tiles = (t.cols + kTile - 1) / kTile;
  t.tiles = n / (t.rows * t.cols) * t.row_tiles * t.col_tiles;
  visit_element(elem_size, "permute", [&](auto tag) {
    using T = decltype(tag);
    tiled_transpose_kernel<<<grid_for(device, t.tiles, 1), dim3(kTile, kTileRows), 0, stream_for(device)>>>(
        t, static_cast<const T*>(x), static_cast<T*>(y));
  });
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

namespace {

// The box `box` between two dense arrays, each with its own dims and the box's corner in it.
void copy_between(int device, const void* x, const int64_t* x_dims, const int64_t* x_begin, void* y,
                  const int64_t* y_dims, const int64_t* y_begin, size_t elem_size, int rank, const int64_t* box,
                  const char* op) {
  StridedCopy c;
  c.rank = rank;
  contiguous_strides(rank, x_dims, c.src_strides);
  contiguous_strides(rank, y_dims, c.dst_strides);
  for (int d = 0; d < rank; ++d) {
    c.dims[d] = box[d];
    c.src_origin += x_begin[d] * c.src_strides[d];
    c.dst_origin += y_begin[d] * c.dst_strides[d];
  }
  strided_copy(device, c, x, y, elem_size, op);
}

constexpr int64_t kOrigin[kMaxDims] = {};

}  // namespace

void copy_box(int device, const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims,
              const int64_t* begin, const int64_t* box) {
  copy_between(device, x, x_dims, begin, y, box, kOrigin, elem_size, rank, box, "copy_box");
}

void paste_box(int device, const void* x, void* y, size_t elem_size, int rank, const int64_t* y_dims,
               const int64_t* begin, const int64_t* box) {
  copy_between(device, x, box, kOrigin, y, y_dims, begin, elem_size, rank, box, "paste_box");
}

void concat_rows(int device, const std::vector<const void*>& sources, const std::vector<int64_t>& chunk_bytes,
                 int64_t outer, void* out) {
  int64_t row_bytes = 0;
  for (int64_t b : chunk_bytes) row_bytes += b;
  if (outer == 0 || row_bytes == 0) return;
  const cudaStream_t stream = stream_for(device);
  int64_t column = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    // Source i's rows land `column` bytes into every output row: one strided 2-D copy.
    if (chunk_bytes[i] > 0) {
      TAPEFLOW_CUDA_CHECK(cudaMemcpy2DAsync(static_cast<char*>(out) + column, row_bytes, sources[i], chunk_bytes[i],
                                            chunk_bytes[i], outer, cudaMemcpyDeviceToDevice, stream));
    }
    column += chunk_bytes[i];
  }
}

namespace {

// out [outer, m, inner] from params [outer, n, inner]; an element whose index is outside [0, n) is
// written as zero and its position j reported to the device's bad-input slot.
template <class T>
__global__ void gather_kernel(const T* params, const int64_t* index, T* out, int64_t outer, int64_t n, int64_t inner,
                              int64_t m, BadInputSink bad) {
  for (int64_t e = global_thread(); e < outer * m * inner; e += grid_threads()) {
    const int64_t i = e % inner, j = e / inner % m, o = e / (inner * m);
    const int64_t k = index[j];
    if (k < 0 || k >= n) {
      report_bad_input(bad, BadInput::kIndex, j, k, n);
      out[e] = T(0);
      continue;
    }
    out[e] = params[(o * n + k) * inner + i];
  }
}

// grad_params [outer, n, inner] += grad_out [outer, m, inner] scattered by index. Repeated indices
// add atomically, so their order (and the last bits of the sum) may vary between runs.
__global__ void scatter_add_kernel(const float* grad_out, const int64_t* index, float* grad_params, int64_t outer,
                                   int64_t n, int64_t inner, int64_t m) {
  for (int64_t e = global_thread(); e < outer * m * inner; e += grid_threads()) {
    const int64_t i = e % inner, j = e / inner % m, o = e / (inner * m);
    const int64_t k = index[j];
    if (k < 0 || k >= n) continue;  // reported by the forward gather; the error reaches the host later
    atomicAdd(grad_params + (o * n + k) * inner + i, grad_out[e]);
  }
}

// The same sum in index order, one thread per grad_params element: bit for bit the CPU's, every run.
__global__ void scatter_add_in_order_kernel(const float* grad_out, const int64_t* index, float* grad_params,
                                            int64_t outer, int64_t n, int64_t inner, int64_t m) {
  for (int64_t e = global_thread(); e < outer * n * inner; e += grid_threads()) {
    const int64_t i = e % inner, k = e / inner % n, o = e / (inner * n);
    float sum = grad_params[e];
    for (int64_t j = 0; j < m; ++j)
      if (index[j] == k) sum += grad_out[(o * m + j) * inner + i];
    grad_params[e] = sum;
  }
}

// out [m, depth].
__global__ void one_hot_kernel(const int64_t* index, float* out, int64_t m, int64_t depth, float on_value,
                               float off_value) {
  for (int64_t e = global_thread(); e < m * depth; e += grid_threads())
    out[e] = index[e / depth] == e % depth ? on_value : off_value;
}

}  // namespace

void gather(int device, const void* params, const int64_t* index, void* out, size_t elem_size, int64_t outer,
            int64_t n, int64_t inner, int64_t m) {
  const int64_t total = outer * m * inner;
  if (total == 0) return;
  const cudaStream_t stream = stream_for(device);
  const BadInputSink bad = bad_input_sink(device);
  visit_element(elem_size, "gather", [&](auto tag) {
    using T = decltype(tag);
    gather_kernel<<<grid_for(device, total), kThreads, 0, stream>>>(static_cast<const T*>(params), index,
                                                                     static_cast<T*>(out), outer, n, inner, m, bad);
  });
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

void scatter_add(int device, const float* grad_out, const int64_t* index, float* grad_params, int64_t outer, int64_t n,
                 int64_t inner, int64_t m, bool deterministic) {
  if (outer * m * inner == 0) return;
  const cudaStream_t stream = stream_for(device);
  if (deterministic) {
    scatter_add_in_order_kernel<<<grid_for(device, outer * n * inner), kThreads, 0, stream>>>(grad_out, index,
                                                                                            grad_params, outer, n,
                                                                                            inner, m);
  } else {
    scatter_add_kernel<<<grid_for(device, outer * m * inner), kThreads, 0, stream>>>(grad_out, index, grad_params,
                                                                                    outer, n, inner, m);
  }
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

void one_hot(int device, const int64_t* index, float* out, int64_t m, int64_t depth, float on_value,
             float off_value) {
  if (m * depth == 0) return;
  one_hot_kernel<<<grid_for(device, m * depth), kThreads, 0, stream_for(device)>>>(index, out, m, depth, on_value,
                                                                                  off_value);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
