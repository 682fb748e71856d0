#include <tapeflow/tapeflow.h>
#include <iostream>
namespace tf = tapeflow;

int main() {
  tf::Variable w(tf::constant({{1.f, 2.f}, {3.f, 4.f}}));   // shape [2, 2]
  tf::Tensor x = tf::constant({{1.f, -1.f}});               // shape [1, 2]
  tf::GradientTape tape;
  tf::Tensor y = tf::reduce_sum(tf::square(tf::matmul(x, w)));
  std::vector<tf::Tensor> grads = tape.gradient(y, {w});
  std::cout << grads[0] << "\n";
}
