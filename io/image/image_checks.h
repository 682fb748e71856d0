#pragma once
// Checks shared by the image codecs: requested channels, declared sizes, and how to name unknown bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include "tapeflow/tensor.h"

namespace tapeflow::io::detail {

// `channels` must be 0 or one of `allowed` (e.g. "0, 1 or 3" in the message).
void check_requested_channels(const char* op, int channels, std::initializer_list<int> allowed);

// A declared size is checked before anything is allocated: positive, at most kMaxImagePixels pixels, and no
// more than a file of `file_bytes` can encode at `max_pixels_per_byte` (the codec's best compression), so
// that a small file declaring a huge picture is an Error rather than a giant allocation.
void check_declared_size(const char* op, int64_t width, int64_t height, size_t file_bytes,
                         int64_t max_pixels_per_byte);

// The input image of an encoder: uint8 [height, width, channels] with channels in `allowed`; returns it on the CPU.
Tensor checked_encoder_input(const char* op, const Tensor& image, std::initializer_list<int64_t> allowed);

// The first bytes as hex ("89 50 4e 47 ..."), for errors about unrecognised data.
std::string leading_bytes(std::string_view bytes, size_t count = 8);

}  // namespace tapeflow::io::detail
