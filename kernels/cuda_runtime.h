#pragma once
// The CUDA runtime seam: device discovery, raw and pinned memory, copies, stream events and the scratch
// memory that library calls (cuBLAS, cuDNN) take. Implemented in kernels/cuda/runtime.cu when the build
// has CUDA; every call is checked and throws tapeflow::Error naming the call, file and line.
#include <cstddef>
#include <string>

namespace tapeflow::kernels::cuda {

// 0 when there is no GPU or driver; never throws.
int device_count();

struct DeviceProperties {
  std::string name;
  int sm_count = 0;
  int compute_major = 0, compute_minor = 0;  // compute capability, e.g. 9.0 for H100/H200
  size_t total_memory_bytes = 0;
};
DeviceProperties device_properties(int device);
std::string device_name(int device);

// cudaMalloc on `device`; nullptr when the device is out of memory (the error is cleared so that the
// caller can free cached blocks and retry). Any other failure throws.
void* try_malloc(int device, size_t nbytes);
void free(int device, void* ptr);

// Page-locked host memory: copies between it and a device run asynchronously on the device's stream.
void* malloc_pinned_host(size_t nbytes);
void free_pinned_host(void* ptr);

void memset_zero(int device, void* ptr, size_t nbytes);
// Waits for the copy (the source may be pageable memory the caller reuses at once).
void copy_host_to_device(int device, void* dst, const void* src, size_t nbytes);
// Queued on the device's stream and returns at once: `src` must be pinned and stay unchanged until the
// stream has passed the copy (see record_event).
void copy_host_to_device_async(int device, void* dst, const void* src, size_t nbytes);
void copy_device_to_host(int device, void* dst, const void* src, size_t nbytes);
void copy_device_to_device(int device, void* dst, const void* src, size_t nbytes);
void synchronize(int device);

// A point on a device's compute stream; done once every operation queued before it has finished.
using Event = void*;  // a cudaEvent_t
Event record_event(int device);
bool event_done(Event event);
void destroy_event(Event event);
// An event that also keeps the time the stream reached it (for the profiler's GPU spans).
Event record_timing_event(int device);
// Milliseconds of GPU time between two timing events; waits for `end`.
float elapsed_ms(Event start, Event end);

// CUDA graphs: the work this thread queues on a device's compute stream between begin_capture and
// end_capture is recorded instead of run (relaxed mode: cudaMalloc stays allowed; a wait on the
// stream fails the capture), and the instantiated graph replays it with one launch on that stream.
using Graph = void*;  // a cudaGraphExec_t
void begin_capture(int device);
// Ends the capture and instantiates the graph; throws when the capture failed (the stream is then out
// of capture mode all the same).
Graph end_capture(int device);
void launch_graph(int device, Graph graph);
void destroy_graph(Graph graph);

// Where library calls get their scratch memory. The engine installs its caching allocator at start-up;
// until then (e.g. a benchmark that uses the kernels alone) scratch comes from cudaMalloc/cudaFree.
// Scratch is stream-ordered: it may be returned as soon as the work using it is queued, because every
// later user of the block is queued behind that work on the same stream.
struct ScratchAllocator {
  void* (*allocate)(int device, size_t nbytes);
  void (*deallocate)(int device, void* ptr, size_t nbytes);
};
void install_scratch_allocator(ScratchAllocator allocator);

// An owning scratch buffer on `device` (none when nbytes == 0).
class Scratch {
 public:
  Scratch(int device, size_t nbytes);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  void* data() const { return data_; }
  size_t size() const { return nbytes_; }

 private:
  int device_;
  size_t nbytes_;
  ScratchAllocator allocator_;  // the one that allocated, so the same one frees
  void* data_ = nullptr;
};

}  // namespace tapeflow::kernels::cuda
