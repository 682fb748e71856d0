// tf.summary: the event file TF2 would write (FORMATS.md's byte vector for a scalar), images as real
// PNGs, histograms, text, the background writer's flush/close, the default-writer scope, and traces.
#include "tapeflow/summary/summary.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <csignal>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "error_of.h"
#include "io/summary/event_encoding.h"
#include "io/summary/summary_values.h"
#include "proto_reader.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
namespace fs = std::filesystem;
using tf::testing::parse_proto;
using tf::testing::ProtoMessage;

namespace {

std::string hex(const std::string& bytes) {
  std::string out;
  for (const unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

class SummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logdir_ = fs::temp_directory_path() /
              ("tapeflow_tb_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(logdir_);
  }
  void TearDown() override { fs::remove_all(logdir_); }

  std::vector<ProtoMessage> events_of(const tf::summary::SummaryWriter& writer) const {
    std::vector<ProtoMessage> events;
    for (const std::string& record : tf::testing::read_records(writer.path())) events.push_back(parse_proto(record));
    return events;
  }
  fs::path logdir_;
};

// Event.summary.value[0]
ProtoMessage value_of(const ProtoMessage& event) { return event.sub(5).sub(1); }

// The pixels of an 8-bit PNG without interlacing and with filter 0 rows (what encode_png writes).
std::vector<uint8_t> png_pixels(const std::string& png, int64_t& width, int64_t& height, int& color_type) {
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::string idat;
  for (size_t at = 8; at + 8 <= png.size();) {
    const auto be32 = [&](size_t i) {
      return (uint32_t(uint8_t(png[i])) << 24) | (uint32_t(uint8_t(png[i + 1])) << 16) |
             (uint32_t(uint8_t(png[i + 2])) << 8) | uint32_t(uint8_t(png[i + 3]));
    };
    const uint32_t length = be32(at);
    const std::string type = png.substr(at + 4, 4);
    EXPECT_EQ(be32(at + 8 + length), crc32(0, reinterpret_cast<const Bytef*>(png.data() + at + 4), length + 4)) << type;
    if (type == "IHDR") {
      width = be32(at + 8), height = be32(at + 12);
      color_type = uint8_t(png[at + 17]);
    }
    if (type == "IDAT") idat += png.substr(at + 8, length);
    at += 12 + length;
  }
  const int channels = color_type == 0 ? 1 : color_type == 4 ? 2 : color_type == 2 ? 3 : 4;
  std::vector<uint8_t> raw(static_cast<size_t>(height * (width * channels + 1)));
  uLongf size = raw.size();
  EXPECT_EQ(uncompress(raw.data(), &size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()), Z_OK);
  std::vector<uint8_t> pixels;
  for (int64_t y = 0; y < height; ++y) {
    EXPECT_EQ(raw[static_cast<size_t>(y * (width * channels + 1))], 0);
    auto row = raw.begin() + y * (width * channels + 1) + 1;
    pixels.insert(pixels.end(), row, row + width * channels);
  }
  return pixels;
}

}  // namespace

TEST(SummaryEncoding, ScalarEventMatchesTF2ByteForByte) {
  EXPECT_EQ(hex(tf::summary::detail::scalar_event(1700000001.5, 7, "loss", 0.125f)),
            "0900006040fc54d94110072a230a210a046c6f73734a0d0a090a077363616c6172732001420a0801120022040000003e");
}

TEST_F(SummaryTest, FileIsNamedLikeTFsAndStartsWithTheVersionRecord) {
  auto writer = tf::summary::create_file_writer(logdir_);
  const std::string name = writer->path().filename().string();
  EXPECT_EQ(writer->path().parent_path(), logdir_);
  EXPECT_TRUE(name.starts_with("events.out.tfevents.")) << name;
  EXPECT_TRUE(name.ends_with(".v2")) << name;
  const auto events = events_of(*writer);  // readable before anything is flushed
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].str(3), "brain.Event:2");
  EXPECT_NEAR(events[0].as_double(1), double(std::time(nullptr)), 60);
}

TEST_F(SummaryTest, ScalarsThroughTheDefaultWriterLandOnFlush) {
  auto writer = tf::summary::create_file_writer(logdir_);
  EXPECT_FALSE(tf::summary::scalar("loss", 1.0, 0));  // no default writer: nothing written
  {
    auto scope = writer->as_default();
    for (int step = 0; step < 100; ++step) EXPECT_TRUE(tf::summary::scalar("loss", tf::fill(tf::Shape{}, 0.5f * step), step));
  }
  EXPECT_EQ(tf::summary::default_writer(), nullptr);
  tf::summary::flush();  // no default writer: nothing to do
  {
    auto scope = writer->as_default();
    tf::summary::flush();
  }
  const auto events = events_of(*writer);
  ASSERT_EQ(events.size(), 101u);
  for (int step = 0; step < 100; ++step) {
    const ProtoMessage& e = events[static_cast<size_t>(step) + 1];
    EXPECT_EQ(e.varints.at(2).at(0), static_cast<uint64_t>(step));
    const ProtoMessage v = value_of(e);
    EXPECT_EQ(v.str(1), "loss");
    EXPECT_EQ(v.sub(9).sub(1).str(1), "scalars");
    float value = 0;
    std::memcpy(&value, v.sub(8).str(4).data(), 4);
    EXPECT_EQ(value, 0.5f * step);
  }
}

TEST_F(SummaryTest, ImagesAreBlobSequencesOfRealPngs) {
  // Two 3x2 gray images as floats in [0, 1], plus a third dropped by max_outputs.
  std::vector<float> pixels(3 * 3 * 2);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<float>(i) / 17.f;
  auto writer = tf::summary::create_file_writer(logdir_);
  writer->image("Training sample", tf::constant(pixels, {3, 3, 2, 1}), 4, 2);
  writer->close();
  const auto events = events_of(*writer);
  ASSERT_EQ(events.size(), 2u);
  const ProtoMessage v = value_of(events[1]);
  EXPECT_EQ(v.sub(9).sub(1).str(1), "images");
  const ProtoMessage tensor = v.sub(8);
  EXPECT_EQ(tensor.varints.at(1).at(0), 7u);  // DT_STRING
  ASSERT_EQ(tensor.bytes.at(8).size(), 4u);   // width, height, 2 PNGs
  EXPECT_EQ(tensor.str(8, 0), "2");
  EXPECT_EQ(tensor.str(8, 1), "3");
  for (int k = 0; k < 2; ++k) {
    int64_t width = 0, height = 0;
    int color_type = -1;
    const std::vector<uint8_t> got = png_pixels(tensor.str(8, 2 + static_cast<size_t>(k)), width, height, color_type);
    EXPECT_EQ(width, 2);
    EXPECT_EQ(height, 3);
    EXPECT_EQ(color_type, 0);
    for (size_t i = 0; i < 6; ++i)
      EXPECT_EQ(got[i], static_cast<uint8_t>(std::min(255.f, pixels[6 * static_cast<size_t>(k) + i] * 255.5f)));
  }
}

TEST_F(SummaryTest, HistogramsAndText) {
  auto writer = tf::summary::create_file_writer(logdir_);
  writer->histogram("weights", tf::constant(std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 10}, {10}), 1, 5);
  writer->text("note", "**bold** text", 2);
  writer->close();
  const auto events = events_of(*writer);
  ASSERT_EQ(events.size(), 3u);
  const ProtoMessage histogram = value_of(events[1]);
  EXPECT_EQ(histogram.sub(9).sub(1).str(1), "histograms");
  const ProtoMessage tensor = histogram.sub(8);
  EXPECT_EQ(tensor.varints.at(1).at(0), 2u);  // DT_DOUBLE
  const std::string content = tensor.str(4);
  ASSERT_EQ(content.size(), 5u * 3 * 8);
  std::vector<double> rows(15);
  std::memcpy(rows.data(), content.data(), content.size());
  EXPECT_EQ(rows, (std::vector<double>{0, 2, 2, 2, 4, 2, 4, 6, 2, 6, 8, 2, 8, 10, 2}));
  const ProtoMessage text = value_of(events[2]);
  EXPECT_EQ(text.sub(9).sub(1).str(1), "text");
  EXPECT_EQ(text.sub(8).str(8), "**bold** text");
}

TEST(SummaryValues, HistogramEdgeCases) {
  using tf::summary::detail::histogram_buckets;
  const auto same = histogram_buckets("h", tf::fill(tf::Shape{4}, 3.f), 3);
  EXPECT_EQ(same.back(), (std::array<double, 3>{3, 3, 4}));
  EXPECT_EQ(same.front()[2], 0);
  const auto empty = histogram_buckets("h", tf::zeros({0}), 2);
  EXPECT_EQ(empty, (std::vector<std::array<double, 3>>(2, {0, 0, 0})));
  EXPECT_THROW(histogram_buckets("h", tf::zeros({2}), 0), tf::Error);
}

TEST_F(SummaryTest, BadInputsAreNamed) {
  auto writer = tf::summary::create_file_writer(logdir_);
  using tf::testing::error_of;
  EXPECT_EQ(error_of([&] { writer->scalar("loss", tf::zeros({2}), 0); }),
            "summary scalar 'loss': expected a one-element numeric tensor, found float32 [2]");
  EXPECT_EQ(error_of([&] { writer->image("img", tf::zeros({2, 2}), 0); }),
            "summary image 'img': expected [k, h, w, c] or [h, w, c] images, found [2, 2]");
  EXPECT_EQ(error_of([&] { writer->image("img", tf::zeros({1, 2, 2, 5}), 0); }),
            "summary image 'img': expected 1 to 4 channels, found 5");
  writer->close();
  EXPECT_NE(error_of([&] { writer->scalar("late", 1.0, 0); }).find("write after close"), std::string::npos);
  fs::create_directories(logdir_);
  const fs::path file = logdir_ / "a_file";
  std::ofstream(file) << "x";
  EXPECT_NE(error_of([&] { tf::summary::create_file_writer(file / "sub"); }).find("cannot create directory"),
            std::string::npos);
}

TEST_F(SummaryTest, TraceExportWritesAChromeTraceAndNamesIt) {
  auto writer = tf::summary::create_file_writer(logdir_);
  tf::Sequential model({tf::layers::Dense({.units = 4, .activation = "relu"}), tf::layers::Dense({.units = 2})});
  tf::optimizers::SGD sgd({.learning_rate = 0.1});
  tf::summary::trace_on(true);
  {
    tf::GradientTape tape;
    const tf::Tensor loss = tf::reduce_mean(tf::square(model(tf::ones({3, 5}))));
    const auto vars = model.trainable_variables();
    sgd.apply_gradients(tape.gradient(loss, std::vector<tf::Tensor>(vars.begin(), vars.end())), vars);
  }
  fs::path trace;
  {
    auto scope = writer->as_default();
    trace = tf::summary::trace_export("model_trace", 0, logdir_);
  }
  EXPECT_EQ(trace.parent_path().parent_path(), logdir_ / "plugins" / "profile");
  const nlohmann::json json = nlohmann::json::parse(tf::io::read_file(trace));
  std::set<std::string> seen;
  for (const auto& e : json.at("traceEvents"))
    if (e.at("ph") == "X") seen.insert(e.at("cat").get<std::string>() + ":" + e.at("name").get<std::string>());
  EXPECT_TRUE(seen.count("layer:dense")) << json.dump();
  EXPECT_TRUE(seen.count("backward:matmul")) << json.dump();
  EXPECT_TRUE(seen.count("op:matmul")) << json.dump();
  EXPECT_TRUE(seen.count("op:relu")) << json.dump();
  EXPECT_TRUE(seen.count("optimizer:SGD")) << json.dump();
  writer->close();
  const auto events = events_of(*writer);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(value_of(events[1]).sub(8).str(8).find(trace.string()), std::string::npos);
  EXPECT_THROW(tf::summary::trace_export("again", 0, logdir_), tf::Error);  // no trace running
}

// A full disk (a file-size limit on this process: writes fail with EFBIG as with ENOSPC) surfaces as a
// clear error from the next write, flush or close, naming the event file; nothing hangs.
TEST_F(SummaryTest, AFullDiskIsAClearErrorFromFlushAndClose) {
  auto writer = tf::summary::create_file_writer(logdir_);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old_limit;
  small.rlim_cur = 16 * 1024;
  ::setrlimit(RLIMIT_FSIZE, &small);
  // ~100 KB of events: the error comes from a later write or from the flush, whichever sees it first.
  const std::string flushed = tf::testing::error_of([&] {
    for (int i = 0; i < 2000; ++i) writer->scalar("loss", 1.0, i);
    writer->flush();
  });
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(flushed.find("cannot write " + writer->path().string()), std::string::npos) << flushed;
  EXPECT_NE(flushed.find("File too large"), std::string::npos) << flushed;
  EXPECT_EQ(tf::testing::error_of([&] { writer->scalar("loss", 1.0, 0); }), flushed);
  EXPECT_EQ(tf::testing::error_of([&] { writer->close(); }), flushed);
}

TEST_F(SummaryTest, CudaOpsAddTheirDeviceTimeToTheTrace) {
  if (!tf::cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  const tf::Tensor a = tf::random::normal({256, 256}, 0.f, 1.f, 1).to(tf::Device::cuda());
  tf::summary::trace_on(true);
  tf::Tensor c = tf::matmul(a, a);
  c = tf::nn::relu(c);
  const fs::path trace = tf::summary::trace_export("gpu_trace", 0, logdir_);
  const nlohmann::json json = nlohmann::json::parse(tf::io::read_file(trace));
  int gpu_spans = 0;
  for (const auto& e : json.at("traceEvents")) {
    if (e.at("ph") != "X" || e.at("cat") != "gpu") continue;
    ++gpu_spans;
    EXPECT_EQ(e.at("tid").get<int>(), 1000) << e.dump();
    EXPECT_GE(e.at("dur").get<double>(), 0) << e.dump();
  }
  EXPECT_GE(gpu_spans, 2) << json.dump();  // matmul and relu, at least
}
