// JPEG through libjpeg-turbo's TurboJPEG API: decode_jpeg and encode_jpeg.
#include <turbojpeg.h>

#include <memory>

#include "engine/check.h"
#include "image_checks.h"
#include "tapeflow/io/image.h"

namespace tapeflow::io {

namespace {

struct TurboJpegDestroy {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TurboJpeg = std::unique_ptr<void, TurboJpegDestroy>;

TurboJpeg make_handle(const char* op, tjhandle handle) {
  TAPEFLOW_CHECK(handle != nullptr, "{}: TurboJPEG could not start: {}", op, tjGetErrorStr2(nullptr));
  return TurboJpeg(handle);
}

// Every scan codes each 8x8 block of a component with at least one bit of Huffman code, so a Huffman-coded JPEG
// holds at most 512 pixels per byte of file; four times that leaves room for arithmetic-coded ones, which can
// spend less than a bit on a block.
constexpr int64_t kMaxPixelsPerByte = 4 * 512;

// What libjpeg stores, for errors and for channels = 0.
const char* colorspace_name(int colorspace) {
  switch (colorspace) {
    case TJCS_RGB: return "RGB";
    case TJCS_YCbCr: return "YCbCr";
    case TJCS_GRAY: return "grayscale";
    case TJCS_CMYK: return "CMYK";
    case TJCS_YCCK: return "YCCK";
    default: return "unknown";
  }
}

}  // namespace

Tensor decode_jpeg(std::string_view bytes, int channels) {
  detail::check_requested_channels("decode_jpeg", channels, {1, 3});
  TAPEFLOW_CHECK(bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xff &&
                     static_cast<unsigned char>(bytes[1]) == 0xd8,
                 "decode_jpeg: expected a JPEG (starting ff d8), found {} ({} bytes)", detail::leading_bytes(bytes),
                 bytes.size());
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto size = static_cast<unsigned long>(bytes.size());
  const TurboJpeg handle = make_handle("decode_jpeg", tjInitDecompress());

  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  TAPEFLOW_CHECK(tjDecompressHeader3(handle.get(), data, size, &width, &height, &subsampling, &colorspace) == 0,
                 "decode_jpeg: corrupt JPEG header ({} bytes): {}", bytes.size(), tjGetErrorStr2(handle.get()));
  detail::check_declared_size("decode_jpeg", width, height, bytes.size(), kMaxPixelsPerByte);
  if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
    throw NotImplemented(fmt::format("decode_jpeg: {} JPEGs (libjpeg cannot convert them to RGB or gray)",
                                     colorspace_name(colorspace)));
  }
  if (channels == 0) channels = colorspace == TJCS_GRAY ? 1 : 3;

  Tensor image = Tensor::empty({height, width, channels}, DType::kUInt8);
  // Accurate integer DCT with fancy upsampling: libjpeg's defaults, so djpeg and Pillow give the same pixels.
  // Any warning (premature end of data, corrupt entropy data) stops the decode: TF reports those as errors too.
  // LIMITSCANS refuses progressive files with absurd scan counts, which otherwise take minutes to decode.
  const int flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
  const int status = tjDecompress2(handle.get(), data, size, image.data<uint8_t>(), width, 0, height,
                                   channels == 1 ? TJPF_GRAY : TJPF_RGB, flags);
  TAPEFLOW_CHECK(status == 0, "decode_jpeg: corrupt or truncated JPEG ({} x {} {}, {} bytes): {}", width, height,
                 colorspace_name(colorspace), bytes.size(), tjGetErrorStr2(handle.get()));
  return image;
}

std::string encode_jpeg(const Tensor& image, int quality, bool chroma_downsampling) {
  const Tensor pixels = detail::checked_encoder_input("encode_jpeg", image, {1, 3});
  TAPEFLOW_CHECK(quality >= 1 && quality <= 100, "encode_jpeg: expected quality in 1..100, found {}", quality);
  const int height = static_cast<int>(pixels.shape()[0]), width = static_cast<int>(pixels.shape()[1]);
  const bool gray = pixels.shape()[2] == 1;
  const int subsampling = gray ? TJSAMP_GRAY : chroma_downsampling ? TJSAMP_420 : TJSAMP_444;
  const TurboJpeg handle = make_handle("encode_jpeg", tjInitCompress());

  unsigned char* jpeg = nullptr;  // allocated by TurboJPEG, released with tjFree
  unsigned long jpeg_size = 0;
  const int status = tjCompress2(handle.get(), pixels.data<uint8_t>(), width, 0, height, gray ? TJPF_GRAY : TJPF_RGB,
                                 &jpeg, &jpeg_size, subsampling, quality, TJFLAG_ACCURATEDCT);
  const std::unique_ptr<unsigned char, decltype(&tjFree)> owned(jpeg, &tjFree);
  TAPEFLOW_CHECK(status == 0, "encode_jpeg: TurboJPEG failed on a {} image: {}", pixels.shape(),
                 tjGetErrorStr2(handle.get()));
  return std::string(reinterpret_cast<const char*>(jpeg), jpeg_size);
}

}  // namespace tapeflow::io
