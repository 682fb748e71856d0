#pragma once
// Poisoning for CPU-vs-CUDA tests. New CPU tensors are NaN-filled by set_poison_new_tensors(true);
// device memory is not, so before a CUDA run the test allocates blocks of the sizes the run will
// produce, NaN-fills them on the device and frees them: the allocator (a caching one, or cudaMalloc
// reusing the freed range) hands them back to the run's outputs, and an element a kernel fails to
// write stays NaN, which never passes a comparison.
#include <cmath>
#include <vector>

#include "tapeflow/tapeflow.h"

namespace tapeflow::testing {

inline void poison_cuda_blocks(const std::vector<Shape>& shapes) {
  std::vector<Tensor> blocks;  // all alive at once, so each takes a block of its own
  for (const Shape& s : shapes) blocks.push_back(fill(s, std::nanf(""), Device::cuda()));
  for (const Tensor& b : blocks) (void)b.numpy<float>();  // the fills have run before the blocks are freed
}

}  // namespace tapeflow::testing
