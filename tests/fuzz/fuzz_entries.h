#pragma once
// One entry function per parser of outside data, shared by the libFuzzer targets (fuzz_target.cpp, built by
// scripts/fuzz.sh with clang) and the replay test (replay_test.cpp, `make test`), so that both feed the bytes
// to exactly the same code.
//
// The contract each entry keeps: it returns when the parser accepts the bytes, and throws tapeflow::Error
// (with a message) when the parser rejects them. Anything else — a crash, a hang, a sanitizer report, an
// allocation past the fuzzer's limit, another exception type — is a finding.
#include <string_view>
#include <vector>

namespace tapeflow::fuzz {

void idx(std::string_view data);               // io::read_idx, plain or gzip
void tfrecord(std::string_view data);          // TFRecordReader: none/zlib/gzip, strict and skip_corrupt
void example(std::string_view data);           // Example, SequenceExample, parse_single_example/parse_example
void safetensors(std::string_view data);       // io::parse_safetensors
void checkpoint(std::string_view data);        // Checkpoint::restore of a .safetensors file into a model
void checkpoint_state(std::string_view data);  // train::parse_checkpoint_state (the `checkpoint` file)
void image(std::string_view data);             // decode_image / decode_jpeg / decode_png
void text(std::string_view data);              // io::read_text
void flags(std::string_view data);             // the programs' command lines (first byte: which program)

struct Target {
  const char* name;  // the folder under tests/fuzz/corpus/ and regressions/, and the binary fuzz_<name>
  void (*entry)(std::string_view data);
};

// Every target above.
const std::vector<Target>& targets();

}  // namespace tapeflow::fuzz
