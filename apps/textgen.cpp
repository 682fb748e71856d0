// textgen: the notes' char-RNN text generator. Trains on random windows of a corpus, then samples
// 400 characters at each of the temperatures 0.2, 0.5, 1.0 and 1.2.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <numeric>
#include <optional>

#include "engine/keras/progbar.h"
#include "file_size_limit.h"
#include "tapeflow/io/text.h"
#include "tapeflow/models/char_rnn.h"
#include "tapeflow/summary/summary.h"
#include "tapeflow/tapeflow.h"
#include "tapeflow/train/checkpoint_manager.h"
#include "textgen_flags.h"

namespace tf = tapeflow;

namespace {

using Flags = tf::apps::TextgenFlags;

// The corpus as character ids over its sorted set of distinct bytes (the notes' DataLoader).
struct Corpus {
  std::vector<unsigned char> chars;  // id -> byte
  std::vector<int64_t> ids;          // the text as ids

  explicit Corpus(const std::string& text) {
    std::array<bool, 256> seen{};
    for (unsigned char c : text) seen[c] = true;
    std::array<int64_t, 256> id_of{};
    for (int c = 0; c < 256; ++c) {
      if (!seen[c]) continue;
      id_of[c] = static_cast<int64_t>(chars.size());
      chars.push_back(static_cast<unsigned char>(c));
    }
    ids.reserve(text.size());
    for (unsigned char c : text) ids.push_back(id_of[c]);
  }

  // `batch_size` random windows: X [batch, seq_length] and the character after each window y [batch].
  std::pair<tf::Tensor, tf::Tensor> batch(int64_t seq_length, int64_t batch_size) const {
    const std::vector<int64_t> starts =
        tf::random::uniform_int({batch_size}, 0, static_cast<int64_t>(ids.size()) - seq_length).numpy<int64_t>();
    std::vector<int64_t> x, y;
    for (int64_t s : starts) {
      x.insert(x.end(), ids.begin() + s, ids.begin() + s + seq_length);
      y.push_back(ids[s + seq_length]);
    }
    return {tf::constant(x, {batch_size, seq_length}).to(tf::default_device()),
            tf::constant(y, {batch_size}).to(tf::default_device())};
  }
};

// What a checkpoint of this program holds: model, optimizer, steps done, and the corpus's characters
// (so that sampling decodes ids with the vocabulary the model was trained on).
struct TrainingState {
  TrainingState(tf::models::CharRNN& model, tf::optimizers::Optimizer& optimizer, const Corpus& corpus)
      : vocabulary(tf::constant(std::vector<int64_t>(corpus.chars.begin(), corpus.chars.end()),
                                {static_cast<int64_t>(corpus.chars.size())}),
                   "vocabulary", false),
        checkpoint({{"model", model}, {"optimizer", optimizer}, {"step", steps_done}, {"vocabulary", vocabulary}}) {}

  tf::Variable steps_done{tf::zeros({}, tf::DType::kInt64), "step", false};
  tf::Variable vocabulary;
  tf::train::Checkpoint checkpoint;
};

// The newest checkpoint of --ckpt-dir; returns the steps it had done. The model must be built.
int64_t restore(TrainingState& state, const Corpus& corpus, const Flags& flags, const char* flag) {
  if (flags.ckpt_dir.empty()) throw tf::Error(std::string(flag) + " needs --ckpt-dir (the folder to restore from)");
  const std::string latest = tf::train::latest_checkpoint(flags.ckpt_dir);
  if (latest.empty()) throw tf::Error(std::string(flag) + ": no checkpoint in " + flags.ckpt_dir);
  const std::vector<int64_t> ours = state.vocabulary.numpy<int64_t>();
  state.checkpoint.restore(latest).assert_existing_objects_matched();
  if (state.vocabulary.numpy<int64_t>() != ours)
    throw tf::Error(fmt::format("{} was trained on another corpus ({} distinct characters; --text has {} with other "
                                "values)",
                                latest, state.vocabulary.num_elements(), corpus.chars.size()));
  const int64_t steps = state.steps_done.item<int64_t>();
  std::printf("Restored %s: %lld step(s) done\n", latest.c_str(), static_cast<long long>(steps));
  return steps;
}

void generate(tf::models::CharRNN& model, const Corpus& corpus, const Flags& flags) {
  const int64_t start = tf::random::uniform_int({1}, 0, static_cast<int64_t>(corpus.ids.size()) - flags.seq_length)
                            .item<int64_t>();
  for (double temperature : {0.2, 0.5, 1.0, 1.2}) {
    std::deque<int64_t> window(corpus.ids.begin() + start, corpus.ids.begin() + start + flags.seq_length);
    std::printf("\n--- temperature %.1f ---\n", temperature);
    for (int64_t i = 0; i < flags.sample_length; ++i) {
      const tf::Tensor x = tf::constant(std::vector<int64_t>(window.begin(), window.end()), {1, flags.seq_length})
                               .to(tf::default_device());
      const int64_t next = model.predict(x, temperature).item<int64_t>();
      std::putchar(corpus.chars[next]);
      window.pop_front();
      window.push_back(next);
    }
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (const std::optional<int> status = tf::apps::parse_textgen_flags(flags, argc, argv)) return *status;
  tf::apps::report_file_size_limit_as_error();

  try {
    tf::set_num_threads(flags.threads);
    if (flags.check_numerics) tf::debugging::enable_check_numerics();
    const tf::DeviceScope on_device(tf::parse_device(flags.device));
    tf::random::set_seed(flags.seed);
    const Corpus corpus(tf::io::read_text(flags.text));
    if (static_cast<int64_t>(corpus.ids.size()) <= flags.seq_length)
      throw tf::Error("--text: the corpus has " + std::to_string(corpus.ids.size()) +
                      " characters, fewer than --seq-length + 1");
    std::printf("Corpus %s: %zu characters, %zu distinct\n", flags.text.c_str(), corpus.ids.size(),
                corpus.chars.size());

    tf::models::CharRNN model(static_cast<int64_t>(corpus.chars.size()), flags.batch_size, flags.seq_length);
    tf::optimizers::Adam optimizer({.learning_rate = flags.lr});
    TrainingState state(model, optimizer, corpus);
    int64_t first_step = 0;
    if (flags.resume || flags.sample_only) {
      model(std::get<0>(corpus.batch(flags.seq_length, flags.batch_size)));  // build, so restoring checks shapes now
      first_step = restore(state, corpus, flags, flags.sample_only ? "--sample-only" : "--resume");
    }
    if (flags.sample_only) {
      generate(model, corpus, flags);
      return 0;
    }
    std::optional<tf::train::CheckpointManager> manager;
    if (!flags.ckpt_dir.empty()) manager.emplace(state.checkpoint, flags.ckpt_dir, "ckpt", 3);
    const auto save = [&](int64_t steps) {
      state.steps_done.assign(tf::constant(std::vector<int64_t>{steps}, tf::Shape{}));
      manager->save(steps);
    };
    std::shared_ptr<tf::summary::SummaryWriter> writer;
    if (!flags.logdir.empty()) writer = tf::summary::create_file_writer(flags.logdir);

    std::vector<double> losses;
    tf::detail::ProgressBar progress(flags.steps - std::min(first_step, flags.steps), 1);
    const auto start = std::chrono::steady_clock::now();
    for (int64_t step = first_step; step < flags.steps; ++step) {
      const auto [x, y] = corpus.batch(flags.seq_length, flags.batch_size);
      tf::GradientTape tape;
      const tf::Tensor y_pred = model(x);
      const tf::Tensor loss = tf::reduce_mean(tf::losses::sparse_categorical_crossentropy(y, y_pred));
      const std::vector<tf::Variable> vars = model.trainable_variables();
      optimizer.apply_gradients(tape.gradient(loss, std::vector<tf::Tensor>(vars.begin(), vars.end())), vars);
      losses.push_back(loss.item<float>());
      if (writer) writer->scalar("loss", losses.back(), step + 1);
      if (manager && (step + 1) % flags.save_every == 0) save(step + 1);
      if ((step + 1) % flags.log_every == 0) std::printf("\rstep %lld: loss %.4f\n", static_cast<long long>(step + 1), losses.back());
      progress.update(step + 1 - first_step, {{"loss", losses.back()}});
    }
    if (manager && flags.steps % flags.save_every != 0 && flags.steps > first_step) save(flags.steps);
    if (writer) writer->close();
    progress.finish({{"loss", losses.empty() ? 0.0 : losses.back()}});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const size_t tail = std::min<size_t>(losses.size(), 100);
    const double final_loss =
        tail ? std::accumulate(losses.end() - static_cast<std::ptrdiff_t>(tail), losses.end(), 0.0) / double(tail) : 0;
    const double steps_per_s = seconds > 0 ? double(losses.size()) / seconds : 0;
    std::printf("Mean loss over the last %zu steps: %.4f (%.1f steps/s)\n", tail, final_loss, steps_per_s);

    generate(model, corpus, flags);

    if (!flags.metrics_json.empty()) {
      const nlohmann::json j = {{"final_loss", final_loss}, {"steps_per_s", steps_per_s}, {"steps", flags.steps},
                                {"seed", flags.seed}, {"text", flags.text}};
      std::ofstream out(flags.metrics_json);
      if (!(out << j.dump(2) << "\n")) throw tf::Error("cannot write --metrics-json file " + flags.metrics_json);
    }
  } catch (const std::exception& e) {  // tapeflow's Errors, and the standard library's (out of memory, ...)
    std::fprintf(stderr, "textgen: %s\n", e.what());
    return 1;
  }
  return 0;
}
