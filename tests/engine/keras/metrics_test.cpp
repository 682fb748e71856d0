// Keras metrics: accumulation over batches, result, reset, label forms, errors, lookup by name.
#include <gtest/gtest.h>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

TEST(Metrics, MeanIsWeightedByTheNumberOfValues) {
  tf::metrics::Mean mean("loss");
  EXPECT_EQ(mean.result(), 0.0);  // nothing seen yet: 0, not NaN
  mean.update_state(tf::constant({1.f, 2.f, 3.f}));
  mean.update_state(tf::constant(4.f));
  EXPECT_DOUBLE_EQ(mean.result(), 2.5);
  mean.update_state(tf::constant({{10, 10}}));  // ints are fine
  EXPECT_DOUBLE_EQ(mean.result(), 30.0 / 6);
  mean.reset_state();
  EXPECT_EQ(mean.result(), 0.0);
  mean.update_state(tf::Tensor(), tf::constant({7.f}));  // the (y_true, y_pred) form averages y_pred
  EXPECT_DOUBLE_EQ(mean.result(), 7.0);
  EXPECT_EQ(mean.name(), "loss");
}

TEST(Metrics, SparseCategoricalAccuracyAccumulatesOverBatches) {
  tf::metrics::SparseCategoricalAccuracy acc;
  const tf::Tensor p = tf::constant({{0.9f, 0.05f, 0.05f}, {0.1f, 0.8f, 0.1f}, {0.3f, 0.6f, 0.1f}});  // argmax 0, 1, 1
  acc.update_state(tf::constant({0, 1, 2}), p);  // 2 of 3
  EXPECT_DOUBLE_EQ(acc.result(), 2.0 / 3);
  acc.update_state(tf::constant<int64_t>({{0}, {1}, {1}}), p);  // [N, 1] int64: 3 of 3
  EXPECT_DOUBLE_EQ(acc.result(), 5.0 / 6);
  acc.update_state(tf::constant({2.f, 2.f, 1.f}), p);  // float labels: 1 of 3
  EXPECT_DOUBLE_EQ(acc.result(), 6.0 / 9);
  acc.reset_state();
  EXPECT_EQ(acc.result(), 0.0);
  // Logits work the same (argmax only), and ties go to the first class, as tf.argmax.
  acc.update_state(tf::constant({0, 2}), tf::constant({{5.f, 5.f, -1.f}, {-3.f, -2.f, -1.f}}));
  EXPECT_DOUBLE_EQ(acc.result(), 1.0);
  EXPECT_EQ(acc.name(), "sparse_categorical_accuracy");
}

TEST(Metrics, SparseCategoricalAccuracyRejectsLabelsOfTheWrongShape) {
  tf::metrics::SparseCategoricalAccuracy acc;
  try {
    acc.update_state(tf::constant({0, 1}), tf::zeros({3, 4}));
    FAIL();
  } catch (const tf::Error& e) {
    EXPECT_STREQ(e.what(),
                 "sparse_categorical_accuracy: y_true [2] does not match y_pred [3, 4] (expected labels of shape [3])");
  }
  EXPECT_THROW(acc.update_state(tf::zeros({2, 3}, tf::int32), tf::zeros({6, 4})), tf::Error);
  EXPECT_EQ(acc.result(), 0.0);
}

TEST(Metrics, CategoricalAccuracyComparesArgmaxes) {
  tf::metrics::CategoricalAccuracy acc;
  const tf::Tensor y_true = tf::constant({{0.f, 1.f, 0.f}, {1.f, 0.f, 0.f}, {0.f, 0.f, 1.f}, {0.f, 1.f, 0.f}});
  const tf::Tensor y_pred = tf::constant({{0.2f, 0.7f, 0.1f}, {0.2f, 0.7f, 0.1f}, {0.1f, 0.1f, 0.8f}, {0.f, 1.f, 0.f}});
  acc.update_state(y_true, y_pred);
  EXPECT_DOUBLE_EQ(acc.result(), 0.75);
  acc.update_state(tf::constant({{1.f, 0.f, 0.f}}), tf::constant({{0.f, 0.f, 1.f}}));
  EXPECT_DOUBLE_EQ(acc.result(), 0.6);
  acc.reset_state();
  EXPECT_EQ(acc.result(), 0.0);
  EXPECT_THROW(acc.update_state(tf::zeros({2, 3}), tf::zeros({2, 4})), tf::Error);
}

TEST(Metrics, AccuracyComparesElementwise) {
  tf::metrics::Accuracy acc;
  acc.update_state(tf::constant({1, 2, 3, 4}), tf::constant({1.f, 2.f, 0.f, 4.f}));  // int y_true cast to float
  EXPECT_DOUBLE_EQ(acc.result(), 0.75);
  acc.update_state(tf::constant({{1}, {0}}), tf::constant({1, 1}));  // [N, 1] against [N]
  EXPECT_DOUBLE_EQ(acc.result(), 4.0 / 6);
  acc.reset_state();
  EXPECT_EQ(acc.result(), 0.0);
  EXPECT_THROW(acc.update_state(tf::zeros({3}), tf::zeros({4})), tf::Error);
}

TEST(Metrics, UpdatesInsideATapeLeaveItsGradientsAlone) {
  // A metric updated while a tape watches the predictions: the gradient of the loss is unchanged.
  const tf::Tensor logits = tf::constant({{1.f, 2.f, 0.5f}, {0.f, -1.f, 3.f}});
  const tf::Tensor labels = tf::constant({1, 0});
  tf::metrics::SparseCategoricalAccuracy acc;
  tf::metrics::Mean mean;
  tf::GradientTape tape;
  tape.watch(logits);
  const tf::Tensor loss = tf::reduce_mean(tf::losses::sparse_categorical_crossentropy(labels, logits, true));
  acc.update_state(labels, logits);
  mean.update_state(logits);
  const std::vector<float> g = tape.gradient(loss, logits).numpy<float>();
  const std::vector<float> s = tf::nn::softmax(logits).numpy<float>();
  EXPECT_NEAR(g[1], (s[1] - 1) / 2, 1e-6);
  EXPECT_NEAR(g[3], (s[3] - 1) / 2, 1e-6);
  EXPECT_DOUBLE_EQ(acc.result(), 0.5);
}

TEST(Metrics, GetByKerasName) {
  EXPECT_EQ(tf::metrics::get("sparse_categorical_accuracy")->name(), "sparse_categorical_accuracy");
  EXPECT_EQ(tf::metrics::get("categorical_accuracy")->name(), "categorical_accuracy");
  EXPECT_EQ(tf::metrics::get("accuracy")->name(), "accuracy");
  EXPECT_EQ(tf::metrics::get("acc")->name(), "acc");
  EXPECT_NE(dynamic_cast<tf::metrics::Accuracy*>(tf::metrics::get("acc").get()), nullptr);
  EXPECT_THROW(tf::metrics::get("f1_of_dreams"), tf::Error);
}
