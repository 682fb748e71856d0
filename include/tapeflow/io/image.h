#pragma once
// Image codecs with tf.io's semantics: JPEG (libjpeg-turbo) and PNG (libpng) in, PNG and JPEG out.
// Images are uint8 tensors [height, width, channels]. A corrupt, truncated or implausibly large file is a
// tapeflow::Error naming what is wrong; nothing larger than kMaxImagePixels is ever allocated.
#include <cstdint>
#include <string>
#include <string_view>

#include "tapeflow/tensor.h"

namespace tapeflow::io {

// Images declaring more pixels than this (2^28, a 16384 x 16384 picture) are refused before decoding.
inline constexpr int64_t kMaxImagePixels = int64_t(1) << 28;

// `channels`: 0 keeps what the file stores (1 for grayscale, 3 for colour), 1 converts to gray, 3 to RGB.
// The DCT is libjpeg's accurate integer one with fancy upsampling (djpeg's and Pillow's defaults; TF's
// "INTEGER_ACCURATE"). Any libjpeg warning (e.g. premature end of data) is an error.
Tensor decode_jpeg(std::string_view bytes, int channels = 0);

// 8-bit output whatever the file's depth (16-bit samples are scaled down as TF does); palettes expand to
// RGB(A), transparency chunks to an alpha channel. `channels`: 0 as stored (1 gray, 2 gray+alpha, 3 RGB,
// 4 RGBA), or 1 to 4 to convert (gray <-> RGB by ITU-R 601 luma / replication, alpha added opaque or dropped).
Tensor decode_png(std::string_view bytes, int channels = 0);

// Sniffs the signature: PNG or JPEG, otherwise an Error naming the bytes found.
Tensor decode_image(std::string_view bytes, int channels = 0);

// `image`: uint8 [height, width, channels], 1 to 4 channels; 8-bit PNG, no interlacing.
std::string encode_png(const Tensor& image);

// `image`: uint8 [height, width, 1 or 3]; `quality` 1..100. Colour is stored with 4:2:0 chroma subsampling
// when `chroma_downsampling` (TF's default), otherwise 4:4:4 (so quality 100 round-trips within a few levels).
std::string encode_jpeg(const Tensor& image, int quality = 95, bool chroma_downsampling = true);

}  // namespace tapeflow::io
