// A directory that refuses writes while saving a checkpoint (Checkpoint, CheckpointManager) or opening an
// event file: a clear error naming the path, and the previous checkpoint byte-identical afterwards. (Full
// disks, by a file-size limit, are in checkpoint_test.cpp and summary_test.cpp.)
#include <gtest/gtest.h>

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "error_of.h"
#include "tapeflow/io/atomic_file.h"
#include "tapeflow/summary/summary.h"
#include "tapeflow/tapeflow.h"
#include "tapeflow/train/checkpoint.h"
#include "tapeflow/train/checkpoint_manager.h"

namespace tf = tapeflow;
namespace fs = std::filesystem;
using tf::testing::error_of;

namespace {

// While alive, `dir` has mode 0555. Root ignores modes through the capabilities that override file
// permissions, so this thread also drops those from its effective set (they stay permitted and come
// back afterwards): the mode then binds root as it binds anyone (tests in CI may run as root).
class ReadOnlyDirectory {
 public:
  explicit ReadOnlyDirectory(fs::path dir) : dir_(std::move(dir)) {
    fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    ::syscall(SYS_capget, &header_, saved_);
    __user_cap_data_struct reduced[2] = {saved_[0], saved_[1]};
    reduced[0].effective &= ~(1u << CAP_DAC_OVERRIDE | 1u << CAP_DAC_READ_SEARCH | 1u << CAP_FOWNER);
    ::syscall(SYS_capset, &header_, reduced);
  }
  ~ReadOnlyDirectory() {
    ::syscall(SYS_capset, &header_, saved_);
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
  }
  ReadOnlyDirectory(const ReadOnlyDirectory&) = delete;
  ReadOnlyDirectory& operator=(const ReadOnlyDirectory&) = delete;

  // Whether creating a file in the directory fails now: the tests assert it, so that a method that stops
  // working fails them instead of letting them pass without testing anything.
  bool refuses_writes() const {
    const fs::path probe = dir_ / "probe";
    const bool created = std::ofstream(probe).good();
    fs::remove(probe);
    return !created;
  }

 private:
  fs::path dir_;
  __user_cap_header_struct header_{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct saved_[2] = {};
};

class DiskTrouble : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tapeflow_disk_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string bytes_of(const std::string& checkpoint) {
    return tf::io::read_file(tf::train::checkpoint_data_file(checkpoint));
  }
  fs::path dir_;
  tf::Variable v_{tf::random::normal({1000}, 0.f, 1.f, 5), "v"};
};

}  // namespace

TEST_F(DiskTrouble, CheckpointSaveIntoAReadOnlyDirectory) {
  tf::train::Checkpoint checkpoint({{"v", v_}});
  const std::string first = checkpoint.save(path("ckpt"));
  const std::string first_bytes = bytes_of(first);
  const std::string state_bytes = tf::io::read_file(dir_ / "checkpoint");
  v_.assign(tf::zeros({1000}));
  std::string message;
  {
    const ReadOnlyDirectory read_only(dir_);
    ASSERT_TRUE(read_only.refuses_writes());
    message = error_of([&] { checkpoint.save(path("ckpt")); });
  }
  EXPECT_EQ(message.rfind("cannot create " + path("ckpt-2.safetensors.tmp-"), 0), 0u) << message;
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
  EXPECT_EQ(bytes_of(first), first_bytes);
  EXPECT_EQ(tf::io::read_file(dir_ / "checkpoint"), state_bytes);
  EXPECT_EQ(tf::train::latest_checkpoint(dir_), first);
  EXPECT_FALSE(fs::exists(path("ckpt-2.safetensors")));
}

TEST_F(DiskTrouble, CheckpointManagerSaveIntoAReadOnlyDirectory) {
  tf::train::Checkpoint checkpoint({{"v", v_}});
  tf::train::CheckpointManager manager(checkpoint, dir_, "ckpt", 1);
  const std::string first = manager.save();
  const std::string first_bytes = bytes_of(first);
  std::string message;
  {
    const ReadOnlyDirectory read_only(dir_);
    ASSERT_TRUE(read_only.refuses_writes());
    message = error_of([&] { manager.save(); });
  }
  EXPECT_EQ(message.rfind("cannot create " + path("ckpt-2.safetensors.tmp-"), 0), 0u) << message;
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
  EXPECT_EQ(bytes_of(first), first_bytes);  // kept: the manager prunes only after a save succeeds
  EXPECT_EQ(manager.checkpoints(), std::vector<std::string>{first});
  EXPECT_EQ(tf::train::latest_checkpoint(dir_), first);
}

TEST_F(DiskTrouble, CheckpointUnderARegularFile) {
  std::ofstream(dir_ / "not_a_dir") << "x";
  tf::train::Checkpoint checkpoint({{"v", v_}});
  const std::string message = error_of([&] { checkpoint.save(path("not_a_dir/ckpt")); });
  EXPECT_EQ(message, "Checkpoint: cannot create directory " + path("not_a_dir") + ": Not a directory");
}

TEST_F(DiskTrouble, EventFileInAReadOnlyDirectory) {
  std::string message;
  {
    const ReadOnlyDirectory read_only(dir_);
    ASSERT_TRUE(read_only.refuses_writes());
    message = error_of([&] { tf::summary::create_file_writer(dir_); });
  }
  EXPECT_EQ(message.rfind("cannot create " + path("events.out.tfevents."), 0), 0u) << message;
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(DiskTrouble, EventFileUnderARegularFile) {
  std::ofstream(dir_ / "not_a_dir") << "x";
  const std::string message = error_of([&] { tf::summary::create_file_writer(dir_ / "not_a_dir" / "train"); });
  EXPECT_EQ(message, "create_file_writer: cannot create directory " + path("not_a_dir/train") +
                         ": Not a directory");
}
