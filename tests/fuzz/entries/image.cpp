#include "fuzz_entries.h"
#include "tapeflow/io/image.h"

namespace tapeflow::fuzz {

// decode_image sniffs PNG or JPEG; a decodable image is decoded again into every channel count the codec
// converts to, the paths users reach with decode_*(bytes, channels).
void image(std::string_view data) {
  io::decode_image(data);
  const bool png = data.size() >= 4 && data.substr(0, 4) == "\x89PNG";
  for (const int channels : {1, 2, 3, 4}) {
    if (png) io::decode_png(data, channels);
    else if (channels == 1 || channels == 3) io::decode_jpeg(data, channels);
  }
}

}  // namespace tapeflow::fuzz
