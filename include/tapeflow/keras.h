#pragma once
// The Keras-style API: layers, initializers, activations, losses, metrics, optimizers, callbacks, Model.
#include "tapeflow/keras/activations.h"
#include "tapeflow/keras/batches.h"
#include "tapeflow/keras/callbacks.h"
#include "tapeflow/keras/initializers.h"
#include "tapeflow/keras/layer.h"
#include "tapeflow/keras/layers.h"
#include "tapeflow/keras/losses.h"
#include "tapeflow/keras/metrics.h"
#include "tapeflow/keras/model.h"
#include "tapeflow/keras/optimizers.h"
