// Capture of a device's compute stream into a CUDA graph, and its replay (kernels/cuda_runtime.h).
#include "kernels/cuda/check.cuh"
#include "kernels/cuda/stream.cuh"
#include "kernels/cuda_runtime.h"

namespace tapeflow::kernels::cuda {

void begin_capture(int device) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaStreamBeginCapture(compute_stream(device), cudaStreamCaptureModeRelaxed));
}

Graph end_capture(int device) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  cudaGraph_t graph = nullptr;
  const cudaError_t ended = cudaStreamEndCapture(compute_stream(device), &graph);
  cudaGetLastError();  // a failed capture leaves its error for the next launch check otherwise
  if (ended != cudaSuccess) {
    if (graph != nullptr) cudaGraphDestroy(graph);
    throw_cuda_error(ended, "cudaStreamEndCapture", __FILE__, __LINE__);
  }
  cudaGraphExec_t exec = nullptr;
  const cudaError_t instantiated = cudaGraphInstantiateWithFlags(&exec, graph, 0);
  cudaGraphDestroy(graph);  // the executable graph keeps what it needs
  TAPEFLOW_CUDA_CHECK(instantiated);
  return exec;
}

void launch_graph(int device, Graph graph) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaGraphLaunch(static_cast<cudaGraphExec_t>(graph), compute_stream(device)));
}

void destroy_graph(Graph graph) { TAPEFLOW_CUDA_CHECK(cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph))); }

}  // namespace tapeflow::kernels::cuda
