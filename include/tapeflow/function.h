#pragma once
// tapeflow::Function, the analogue of tf.function for a step that runs again and again on inputs of
// the same shapes (a training or evaluation step):
//
//   tf::Function train_step([&](const std::vector<tf::Tensor>& in) {
//     tf::GradientTape tape;
//     const tf::Tensor loss = tf::reduce_mean(loss_fn(in[1], model(in[0], true)));
//     optimizer.apply_gradients(tape.gradient(loss, weights), variables);
//     return std::vector<tf::Tensor>{loss};
//   });
//   tf::Tensor loss = train_step({x, y})[0];
//
// When every input is on one CUDA device, the first call for an input signature (shapes and dtypes)
// runs the body eagerly: it builds the model, creates the optimizer's slots and picks convolution
// algorithms. The second call captures the body's kernels into a CUDA graph and runs it; later calls
// copy their inputs into the graph's, replay it with one launch and return copies of its outputs.
// Otherwise (CPU inputs, a build without CUDA, or {.capture = false}) every call runs the body.
//
// A captured body must do the same device work at every call. What would differ, or cannot be
// captured, throws "not implemented: ... inside a captured step" from the capturing call: reading
// values back to the host (item(), to(Device::cpu()), printing, check_numerics, clipnorm), copying host
// data in, random ops without a seed (dropout), learning-rate schedules and creating variables. Work on
// CPU tensors inside the body runs once, at the capture, and not at replays: keep it out.
// Host-side bookkeeping the body does (an optimizer's iteration count) is redone at each replay, and
// taken back when a capture fails; a new learning rate (set_learning_rate) makes the next call capture
// the step again. Other threads' copies to and from the device (data::Dataset's prefetch_to_device)
// wait while a step is captured, so that they do not join its graph; other threads must not launch
// kernels on the device meanwhile. The objects the body uses must outlive the Function.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow {

struct FunctionOptions {
  bool capture = true;  // false: every call runs the body (tf.config.run_functions_eagerly)
  // When a capture fails: false throws its error; true says why on stderr in one line, runs that call
  // eagerly, and never tries that signature again.
  bool run_eagerly_if_capture_fails = false;
};

class Function {
 public:
  using Body = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

  explicit Function(Body body, FunctionOptions options = {});
  ~Function();
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs);

  // How many input signatures have a captured graph.
  size_t graph_count() const;
  // Successful captures and replays of all Functions in this process (for tests and benchmarks).
  static int64_t captures_so_far();
  static int64_t replays_so_far();

 private:
  struct Graph;
  struct Signature {
    int calls = 0;
    bool eager_only = false;  // its capture failed
    std::unique_ptr<Graph> graph;
  };
  std::unique_ptr<Graph> capture(int device, const std::vector<Tensor>& inputs);

  Body body_;
  FunctionOptions options_;
  std::map<std::string, Signature> signatures_;
};

}  // namespace tapeflow
