#include "tapeflow/train/checkpoint.h"

#include <set>

#include "engine/check.h"
#include "io/unix_time.h"
#include "tapeflow/io/atomic_file.h"
#include "tapeflow/io/crc32c.h"
#include "tapeflow/io/safetensors.h"
#include "tapeflow/train/checkpoint_state.h"

namespace tapeflow::train {

namespace {

constexpr const char* kFormatKey = "format";
constexpr const char* kFormat = "tapeflow-checkpoint/1";
constexpr const char* kChecksumPrefix = "crc32c/";
constexpr const char* kSaveCounterKey = "save_counter";
constexpr const char* kIterationsKey = "iter";

Tensor int64_scalar(int64_t value) {
  Tensor t = Tensor::empty(Shape{}, DType::kInt64);
  *t.data<int64_t>() = value;
  return t;
}

std::string checksum_of(const Tensor& cpu_tensor) {
  return fmt::format("{:08x}", io::crc32c(cpu_tensor.raw_data(), cpu_tensor.nbytes()));
}

// The tensors of one object, keyed relative to it ("dense/kernel", "iter").
io::NamedTensors object_tensors(const Trackable& object) {
  io::NamedTensors out;
  std::visit(
      [&](auto* target) {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, Layer>) {
          for (const Variable& v : target->variables()) out.emplace_back(v.name(), v);
        } else if constexpr (std::is_same_v<T, optimizers::Optimizer>) {
          out.emplace_back(kIterationsKey, int64_scalar(target->iterations()));
          for (const auto& [name, slot] : target->slots()) out.emplace_back(name, slot);
        } else {
          out.emplace_back("", *target);
        }
      },
      object.target());
  return out;
}

std::string join_key(const std::string& object, const std::string& key) {
  return key.empty() ? object : object + "/" + key;
}

std::map<std::string, Tensor> verified_tensors(io::SafetensorsContents contents, const std::string& file) {
  const auto format = contents.metadata.find(kFormatKey);
  TAPEFLOW_CHECK(format != contents.metadata.end() && format->second == kFormat,
                 "checkpoint {}: expected a {} file, found format '{}'", file, kFormat,
                 format == contents.metadata.end() ? "(none)" : format->second);
  for (const auto& [key, tensor] : contents.tensors) {
    const auto recorded = contents.metadata.find(kChecksumPrefix + key);
    TAPEFLOW_CHECK(recorded != contents.metadata.end(), "checkpoint {}: tensor '{}' has no checksum", file, key);
    const std::string actual = checksum_of(tensor);
    TAPEFLOW_CHECK(recorded->second == actual,
                   "checkpoint {}: tensor '{}' is corrupt (CRC32C {} recorded, {} computed)", file, key,
                   recorded->second, actual);
  }
  return std::move(contents.tensors);
}

// Moves the entries under "<object>/" (or exactly "<object>" for a variable) out of `values`.
std::map<std::string, Tensor> take_object_values(std::map<std::string, Tensor>& values, const std::string& object) {
  std::map<std::string, Tensor> taken;
  for (auto it = values.begin(); it != values.end();) {
    if (it->first == object) {
      taken.emplace("", std::move(it->second));
      it = values.erase(it);
    } else if (it->first.starts_with(object + "/")) {
      taken.emplace(it->first.substr(object.size() + 1), std::move(it->second));
      it = values.erase(it);
    } else {
      ++it;
    }
  }
  return taken;
}

}  // namespace

LoadStatus::LoadStatus(std::string path, std::vector<std::string> missing, Waiting waiting)
    : path_(std::move(path)), missing_(std::move(missing)), waiting_(std::move(waiting)) {}

std::vector<std::string> LoadStatus::unmatched_keys() const {
  std::vector<std::string> keys;
  for (const auto& values : waiting_)
    for (const auto& [key, value] : values->pending()) keys.push_back(values->checkpoint_key(key));
  return keys;
}

const LoadStatus& LoadStatus::assert_existing_objects_matched() const {
  TAPEFLOW_CHECK(missing_.empty(), "checkpoint {}: no value for {} tracked variable(s): {}", path_, missing_.size(),
                 fmt::join(missing_, ", "));
  return *this;
}

const LoadStatus& LoadStatus::assert_consumed() const {
  assert_existing_objects_matched();
  const std::vector<std::string> unmatched = unmatched_keys();
  TAPEFLOW_CHECK(unmatched.empty(),
                 "checkpoint {}: {} value(s) matched no variable (not created yet, or not tracked): {}", path_,
                 unmatched.size(), fmt::join(unmatched, ", "));
  return *this;
}

Checkpoint::Checkpoint(std::vector<std::pair<std::string, Trackable>> objects) : objects_(std::move(objects)) {
  std::set<std::string> names;
  for (const auto& [name, object] : objects_) {
    TAPEFLOW_CHECK(!name.empty() && name.find('/') == std::string::npos && name != kSaveCounterKey,
                   "Checkpoint: object name '{}' must be non-empty, without '/', and not '{}'", name, kSaveCounterKey);
    TAPEFLOW_CHECK(names.insert(name).second, "Checkpoint: object name '{}' is used twice", name);
  }
}

std::filesystem::path checkpoint_data_file(const std::string& prefix) { return prefix + ".safetensors"; }

std::string Checkpoint::write(const std::string& file_prefix) {
  io::NamedTensors tensors{{kSaveCounterKey, int64_scalar(save_counter_)}};
  for (const auto& [name, object] : objects_)
    for (auto& [key, tensor] : object_tensors(object)) tensors.emplace_back(join_key(name, key), std::move(tensor));
  io::SafetensorsMetadata metadata{{kFormatKey, kFormat}};
  for (auto& [key, tensor] : tensors) {
    tensor = tensor.to(Device::cpu());
    metadata[kChecksumPrefix + key] = checksum_of(tensor);
  }
  const std::filesystem::path file = checkpoint_data_file(file_prefix);
  if (file.has_parent_path()) io::create_directories(file.parent_path(), "Checkpoint");
  io::save_safetensors(file, tensors, metadata);
  return file_prefix;
}

std::string Checkpoint::save(const std::string& file_prefix) {
  increment_save_counter();
  const std::string path = write(fmt::format("{}-{}", file_prefix, save_counter_));
  const std::filesystem::path full(path);
  const std::string relative = full.filename().string();
  write_checkpoint_state(full.parent_path(), CheckpointState{.model_checkpoint_path = relative,
                                                             .all_model_checkpoint_paths = {relative},
                                                             .all_model_checkpoint_timestamps = {io::unix_seconds()},
                                                             .last_preserved_timestamp = 0});
  return path;
}

LoadStatus Checkpoint::restore(const std::string& save_path) {
  TAPEFLOW_CHECK(!save_path.empty(), "Checkpoint::restore: empty path (did latest_checkpoint find no checkpoint?)");
  const std::filesystem::path file = checkpoint_data_file(save_path);
  TAPEFLOW_CHECK(std::filesystem::exists(file), "Checkpoint::restore: no checkpoint at {} (expected the file {})",
                 save_path, file.string());
  std::map<std::string, Tensor> values = verified_tensors(io::load_safetensors(file), file.string());

  if (auto counter = values.extract(kSaveCounterKey)) save_counter_ = counter.mapped().item<int64_t>();
  std::vector<std::string> missing;
  LoadStatus::Waiting waiting;
  for (auto& [object_name, object] : objects_) {
    const std::string& name = object_name;  // clang 14 cannot capture a structured binding in a lambda
    std::map<std::string, Tensor> own = take_object_values(values, name);
    for (const auto& [key, tensor] : object_tensors(object))
      if (key != kIterationsKey && !own.count(key)) missing.push_back(join_key(name, key));
    auto deferred = std::make_shared<DeferredRestore>(file.string(), name, std::move(own));
    std::visit(
        [&](auto* target) {
          using T = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<T, Layer>) {
            target->restore_weights(deferred);
          } else if constexpr (std::is_same_v<T, optimizers::Optimizer>) {
            Variable iterations(int64_scalar(0), kIterationsKey, false);
            if (deferred->apply(kIterationsKey, iterations)) target->set_iterations(iterations.item<int64_t>());
            else missing.push_back(join_key(name, kIterationsKey));
            target->restore_slots(deferred);
          } else {
            deferred->apply("", *target);
          }
        },
        object.target());
    waiting.push_back(std::move(deferred));
  }
  if (!values.empty()) waiting.push_back(std::make_shared<DeferredRestore>(file.string(), "", std::move(values)));
  return LoadStatus(save_path, std::move(missing), std::move(waiting));
}

std::string latest_checkpoint(const std::filesystem::path& directory) {
  const std::optional<CheckpointState> state = read_checkpoint_state(directory);
  if (!state) return "";
  const std::filesystem::path path = std::filesystem::path(state->model_checkpoint_path).is_absolute()
                                         ? std::filesystem::path(state->model_checkpoint_path)
                                         : directory / state->model_checkpoint_path;
  return std::filesystem::exists(checkpoint_data_file(path.string())) ? path.string() : "";
}

}  // namespace tapeflow::train
