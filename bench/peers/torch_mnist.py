#!/usr/bin/env python3
"""The notes' MLP and CNN in PyTorch with tapeflow's settings, the accuracy and speed peer for
`train_mnist`: Keras initialisation (glorot_uniform kernels, zero biases), softmax output with
sparse categorical cross-entropy on clipped probabilities, Adam(1e-3, eps=1e-7), batch 50, reshuffled
every epoch. Prints one JSON line per run.

Run with Debian's python3-torch (and glibc told to keep its memory, or it page-faults every step):
MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 \
  /usr/bin/python3 bench/peers/torch_mnist.py --model cnn --epochs 5 --seed 0
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch

from torch_models import loss_fn, make_mnist_model, make_optimizer


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(folder, stem):
    for suffix in ("", ".gz"):
        path = os.path.join(folder, stem + suffix)
        if os.path.exists(path):
            return read_idx(path)
    raise FileNotFoundError(stem)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["mlp", "cnn"], default="cnn")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    x_train = torch.from_numpy(load(a.data, "train-images-idx3-ubyte").astype(np.float32) / 255.0).unsqueeze(1)
    y_train = torch.from_numpy(load(a.data, "train-labels-idx1-ubyte").astype(np.int64))
    x_test = torch.from_numpy(load(a.data, "t10k-images-idx3-ubyte").astype(np.float32) / 255.0).unsqueeze(1)
    y_test = torch.from_numpy(load(a.data, "t10k-labels-idx1-ubyte").astype(np.int64))
    model = make_mnist_model(a.model)
    opt = make_optimizer(model)
    start = time.time()
    epoch_seconds = []
    for _ in range(a.epochs):
        t0 = time.time()
        order = torch.from_numpy(rng.permutation(len(x_train)))
        for b in range(0, len(order), a.batch_size):
            idx = order[b:b + a.batch_size]
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        epoch_seconds.append(time.time() - t0)
    train_seconds = time.time() - start
    with torch.no_grad():
        correct = sum((model(x_test[i:i + 500]).argmax(-1) == y_test[i:i + 500]).sum().item()
                      for i in range(0, len(x_test), 500))
    print(json.dumps({"peer": "pytorch " + torch.__version__, "model": a.model, "seed": a.seed,
                      "epochs": a.epochs, "test_accuracy": correct / len(x_test),
                      "train_seconds": train_seconds, "epoch_seconds": epoch_seconds,
                      "train_examples_per_second": len(x_train) * a.epochs / train_seconds}))


if __name__ == "__main__":
    main()
