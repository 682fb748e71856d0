// The README's Keras-style example: a small CNN built with Sequential, compiled and fitted on
// Fashion-MNIST. Usage: keras_example [MNIST folder] [epochs]
#include <tapeflow/io/idx.h>
#include <tapeflow/tapeflow.h>

#include <cstdlib>

namespace tf = tapeflow;

int main(int argc, char** argv) {
  const tf::io::MnistData data = tf::io::load_mnist(argc > 1 ? argv[1] : tf::io::kFashionMnistDir);
  const tf::Tensor &x_train = data.train_images, &y_train = data.train_labels;
  const tf::Tensor &x_test = data.test_images, &y_test = data.test_labels;
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 5;

  tf::Sequential model({
      tf::layers::Conv2D({.filters = 32, .kernel_size = {5, 5}, .padding = "same", .activation = "relu"}),
      tf::layers::MaxPool2D({.pool_size = {2, 2}, .strides = {2, 2}}),
      tf::layers::Flatten(),
      tf::layers::Dense({.units = 10, .activation = "softmax"}),
  });
  model.build({-1, 28, 28, 1});
  model.summary();
  model.compile(tf::optimizers::Adam({.learning_rate = 1e-3}),
                tf::losses::SparseCategoricalCrossentropy(), {"sparse_categorical_accuracy"});
  tf::History h = model.fit(x_train, y_train, {.epochs = epochs, .batch_size = 50, .validation_data = {x_test, y_test}});
  return h.history.at("val_sparse_categorical_accuracy").back() > 0.5 ? 0 : 1;
}
