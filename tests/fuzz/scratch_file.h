#pragma once
// For parsers that read a path: the fuzz input written to a file of this process's own scratch folder
// (under the system temp folder), overwritten by the next input.
#include <filesystem>
#include <string>
#include <string_view>

namespace tapeflow::fuzz {

// `data` as the file `name` in the scratch folder; returns its path.
std::filesystem::path scratch_file(const std::string& name, std::string_view data);

}  // namespace tapeflow::fuzz
