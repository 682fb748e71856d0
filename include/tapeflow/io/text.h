#pragma once
// Plain-text corpora for the char-RNN.
#include <filesystem>
#include <string>

namespace tapeflow::io {

// The bytes of a file, or of every regular file in a folder (sorted by name, skipping symlinks and
// fortune's *.dat indexes), concatenated. Missing or empty input is an Error naming the path.
std::string read_text(const std::filesystem::path& path);

// Where Debian's `fortunes` package puts its plain-text fortune files (~2.6 MB in all).
inline const char* kFortunesDir = "/usr/share/games/fortunes";

}  // namespace tapeflow::io
