#pragma once
// All Keras-style layers.
#include "tapeflow/keras/layers/batch_normalization.h"
#include "tapeflow/keras/layers/conv2d.h"
#include "tapeflow/keras/layers/core.h"
#include "tapeflow/keras/layers/dense.h"
#include "tapeflow/keras/layers/lstm.h"
#include "tapeflow/keras/layers/pooling.h"
#include "tapeflow/keras/layers/reshaping.h"
