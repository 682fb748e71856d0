"""Reads tapeflow's files with the real tools: TensorBoard's event loader and the safetensors package.

usage: check_samples.py SAMPLES_DIR   (written by interop_samples)
"""
import io
import json
import math
import pathlib
import sys

import numpy as np
from PIL import Image
from safetensors.numpy import load_file
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util


def check_events(logdir, expected):
    acc = event_accumulator.EventAccumulator(str(logdir), size_guidance={event_accumulator.TENSORS: 0})
    acc.Reload()
    plugins = acc.PluginTagToContent
    assert set(plugins("scalars")) == {"loss"}, plugins("scalars")
    assert set(plugins("images")) == {"Training sample"}, plugins("images")
    assert set(plugins("histograms")) == {"weights"}, plugins("histograms")
    assert set(plugins("text")) == {"note"}, plugins("text")

    loss = [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in acc.Tensors("loss")]
    assert loss == [(s, v) for s, v in expected["loss"]], loss

    (image_event,) = acc.Tensors("Training sample")
    blobs = tensor_util.make_ndarray(image_event.tensor_proto)
    assert blobs[0] == b"28" and blobs[1] == b"28" and len(blobs) == 4, blobs[:2]
    want = np.array(expected["image_pixels"], dtype=np.uint8).reshape(2, 28, 28)
    for k in range(2):
        img = Image.open(io.BytesIO(blobs[2 + k]))
        assert img.format == "PNG" and img.mode == "L", (img.format, img.mode)
        assert np.array_equal(np.asarray(img), want[k]), f"image {k} pixels differ"

    (histogram,) = acc.Tensors("weights")
    rows = tensor_util.make_ndarray(histogram.tensor_proto)
    assert rows.shape == (3, 3) and histogram.step == 5, rows
    assert rows[:, 2].tolist() == [1.0, 2.0, 3.0], rows
    assert math.isclose(rows[0, 0], 1.0) and math.isclose(rows[-1, 1], 3.0), rows

    (text,) = acc.Tensors("note")
    assert tensor_util.make_ndarray(text.tensor_proto).item() == b"hello *TensorBoard*"


def check_checkpoint(samples, expected):
    tensors = load_file(expected["checkpoint"] + ".safetensors")
    assert int(tensors["save_counter"]) == 1, tensors["save_counter"]
    for name, want in expected["tensors"].items():
        got = tensors[name]
        assert list(got.shape) == want["shape"] and got.dtype == np.float32, (name, got.shape, got.dtype)
        assert got.reshape(-1)[0] == np.float32(want["first"]), name
    state = (samples / "save" / "checkpoint").read_text()
    assert 'model_checkpoint_path: "model.ckpt-100"' in state, state


def main():
    samples = pathlib.Path(sys.argv[1])
    expected = json.loads((samples / "expected.json").read_text())
    check_events(samples / "logs", expected)
    check_checkpoint(samples, expected)
    print("TensorBoard read the scalars, images, histogram and text; safetensors read the checkpoint")


if __name__ == "__main__":
    main()
