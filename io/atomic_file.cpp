#include "tapeflow/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/check.h"

namespace tapeflow::io {

namespace {

[[noreturn]] void fail(const char* what, const std::filesystem::path& path, int errnum) {
  throw Error(fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(errnum)));
}

// Owns a file descriptor; closing reports errors (NFS and full disks report them late).
class FileDescriptor {
 public:
  FileDescriptor(const std::filesystem::path& path, int flags, mode_t mode = 0) : fd_(::open(path.c_str(), flags, mode)) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
}

void write_synced(const std::filesystem::path& path, std::string_view contents) {
  FileDescriptor file(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (file.get() < 0) fail("create", path, errno);
  write_all(file.get(), contents, path);
  if (::fsync(file.get()) != 0) fail("sync", path, errno);
  if (file.close() != 0) fail("close", path, errno);
}

void sync_directory(const std::filesystem::path& directory) {
  FileDescriptor dir(directory.empty() ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) fail("sync directory", directory, errno);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  const std::filesystem::path temporary = path.string() + fmt::format(".tmp-{}", ::getpid());
  try {
    write_synced(temporary, contents);
    if (std::rename(temporary.c_str(), path.c_str()) != 0) fail("rename into place", path, errno);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  sync_directory(path.parent_path());
}

void create_directories(const std::filesystem::path& folder, std::string_view who) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  TAPEFLOW_CHECK(!error, "{}: cannot create directory {}: {}", who, folder.string(), error.message());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("open", path, errno);
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) fail("read", path, errno);
  return std::move(contents).str();
}

}  // namespace tapeflow::io
