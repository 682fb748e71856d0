#pragma once
// Files that are either wholly written or not there at all: data goes to a temporary file beside the
// target, is fsync'd, renamed over the target, and the directory is fsync'd, so a crash, a full disk
// or a kill leaves the previous file intact.
#include <filesystem>
#include <string_view>

namespace tapeflow::io {

// Replaces `path` with `contents` atomically; throws an Error naming the file and the system's reason
// (e.g. "No space left on device") when any step fails, removing the temporary file.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Creates `folder` and its missing parents; an Error "<who>: cannot create directory <folder>: <reason>"
// (e.g. a parent is a regular file) instead of std::filesystem_error, which the programs do not catch.
void create_directories(const std::filesystem::path& folder, std::string_view who);

// The whole file; an Error naming it when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace tapeflow::io
