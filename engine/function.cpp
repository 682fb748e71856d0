// tapeflow::Function: eager first call, CUDA graph capture on the second, replays after (function.h).
#include "tapeflow/function.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <optional>

#include "engine/capture.h"
#include "engine/memory/cuda_allocator.h"
#include "engine/memory/device_memory.h"
#include "kernels/cuda_runtime.h"

namespace tapeflow {

// A captured step: the graph, the inputs it reads and the outputs it writes (fixed addresses), the
// private pool that holds its intermediate buffers, and the host-side bookkeeping to redo per replay.
struct Function::Graph {
  int device = 0;
  std::vector<Tensor> inputs, outputs;
  std::vector<std::function<void()>> replay_hooks;
  std::vector<std::function<bool()>> replay_conditions;  // all true, or the step is captured again
  kernels::cuda::Graph exec = nullptr;
  memory::CachingAllocator* allocator = nullptr;
  memory::CachingAllocator::PoolId pool = 0;

  ~Graph() {
    inputs.clear();
    outputs.clear();
#ifdef TAPEFLOW_WITH_CUDA
    try {
      if (exec != nullptr) kernels::cuda::destroy_graph(exec);
      if (pool != 0) allocator->release_pool(pool);
    } catch (const Error&) {
      // At exit, or after a sticky CUDA error: the memory goes with the process.
    }
#endif
  }
};

namespace {

std::atomic<int64_t> captures{0}, replays{0};

// The CUDA device every input is on; none when an input is elsewhere (or undefined), or the build has no CUDA.
std::optional<int> common_cuda_device(const std::vector<Tensor>& inputs) {
#ifdef TAPEFLOW_WITH_CUDA
  if (inputs.empty()) return std::nullopt;
  for (const Tensor& x : inputs)
    if (!x.defined() || !x.device().is_cuda() || x.device() != inputs[0].device()) return std::nullopt;
  return inputs[0].device().index;
#else
  (void)inputs;
  return std::nullopt;
#endif
}

std::string signature_of(const std::vector<Tensor>& inputs) {
  std::string key;
  for (const Tensor& x : inputs)
    key += std::string(dtype_name(x.dtype())) + x.shape().to_string() + "@" + x.device().to_string() + ";";
  return key;
}

std::vector<Tensor> copies_of(const std::vector<Tensor>& outputs) {
  std::vector<Tensor> copies;
  for (const Tensor& y : outputs) copies.push_back(y.defined() ? y.clone() : Tensor());
  return copies;
}

}  // namespace

Function::Function(Body body, FunctionOptions options) : body_(std::move(body)), options_(options) {}

Function::~Function() = default;

int64_t Function::captures_so_far() { return captures.load(); }
int64_t Function::replays_so_far() { return replays.load(); }

size_t Function::graph_count() const {
  size_t count = 0;
  for (const auto& [key, signature] : signatures_) count += signature.graph != nullptr;
  return count;
}

std::vector<Tensor> Function::operator()(const std::vector<Tensor>& inputs) {
  const std::optional<int> device = options_.capture ? common_cuda_device(inputs) : std::nullopt;
  if (!device || capture::active()) return body_(inputs);  // a Function called by a captured body is part of it
  Signature& signature = signatures_[signature_of(inputs)];
  // The first call runs eagerly: it builds what the step creates once (weights, slots, algorithm choices).
  if (signature.eager_only || (signature.graph == nullptr && signature.calls++ == 0)) return body_(inputs);
  if (signature.graph != nullptr &&
      !std::all_of(signature.graph->replay_conditions.begin(), signature.graph->replay_conditions.end(),
                   [](const auto& holds) { return holds(); })) {
    signature.graph.reset();  // e.g. a new learning rate: the graph holds the old one
  }
  if (signature.graph == nullptr) {
    try {
      signature.graph = capture(*device, inputs);
    } catch (const Error& e) {
      if (!options_.run_eagerly_if_capture_fails) throw;
      signature.eager_only = true;
      std::fprintf(stderr, "%s; running this step eagerly\n", e.what());
      return body_(inputs);  // the failed capture ran none of its work and took back its bookkeeping
    }
    return copies_of(signature.graph->outputs);
  }
#ifdef TAPEFLOW_WITH_CUDA
  Graph& graph = *signature.graph;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].raw_data() != graph.inputs[i].raw_data())
      memory::copy(inputs[i].device(), graph.inputs[i].raw_data(), inputs[i].device(), inputs[i].raw_data(),
                   inputs[i].nbytes());
  }
  kernels::cuda::launch_graph(graph.device, graph.exec);
  ++replays;
  for (const auto& redo : graph.replay_hooks) redo();
  return copies_of(graph.outputs);
#else
  return body_(inputs);
#endif
}

std::unique_ptr<Function::Graph> Function::capture(int device, const std::vector<Tensor>& inputs) {
  auto graph = std::make_unique<Graph>();
#ifdef TAPEFLOW_WITH_CUDA
  graph->device = device;
  for (const Tensor& x : inputs) graph->inputs.push_back(x.clone());  // eager: before the capture begins
  graph->allocator = &memory::cuda_allocator(device);
  graph->pool = graph->allocator->create_pool();
  {
    const memory::CachingAllocator::PoolRouting routing(*graph->allocator, graph->pool);
    capture::Scope scope;
    kernels::cuda::begin_capture(device);
    std::string failure;
    try {
      graph->outputs = body_(graph->inputs);
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "an exception that is not a std::exception";
    }
    if (!failure.empty()) {
      try {
        kernels::cuda::destroy_graph(kernels::cuda::end_capture(device));
      } catch (const Error&) {
        // The body's own error says more than the capture's end.
      }
      scope.abort();
      throw Error("tapeflow::Function: capturing the step into a CUDA graph failed: " + failure);
    }
    try {
      graph->exec = kernels::cuda::end_capture(device);
      kernels::cuda::launch_graph(device, graph->exec);  // the capture recorded the step's work without running it
    } catch (const Error&) {
      scope.abort();
      throw;
    }
    ++captures;
    graph->replay_hooks = scope.take_replay_hooks();
    graph->replay_conditions = scope.take_replay_conditions();
  }
#else
  (void)device;
  (void)inputs;
#endif
  return graph;
}

}  // namespace tapeflow
