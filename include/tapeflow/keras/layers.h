#pragma once
// All Keras-style layers.
#include "tapeflow/keras/layers/dense.h"
