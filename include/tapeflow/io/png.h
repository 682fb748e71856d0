#pragma once
// encode_png now lives with the other image codecs; this header stays for existing includes.
#include "tapeflow/io/image.h"
