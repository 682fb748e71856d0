#!/usr/bin/env python3
"""The notes' char-RNN in PyTorch with tapeflow's settings, as the accuracy peer for `textgen`.

one_hot -> LSTMCell(256) stepped over 40 characters -> Linear(num_chars); Keras initialisation
(glorot_uniform kernels, orthogonal recurrent kernel, zero bias with forget-gate bias 1); loss is
sparse categorical cross-entropy on the clipped softmax probabilities (as the notes compute it);
Adam(1e-3, eps=1e-7) at batch 50 for 1000 steps. Prints one JSON line with final_loss (mean over the
last 100 steps) and steps_per_s.

Run with Debian's python3-torch: /usr/bin/python3 bench/peers/torch_charrnn.py [--seed 0]
"""
import argparse
import json
import os
import time

import numpy as np
import torch

from torch_models import CharRNN, make_optimizer, prob_loss_fn


def read_corpus(path):
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path)
                       if not n.endswith(".dat") and os.path.isfile(os.path.join(path, n))
                       and not os.path.islink(os.path.join(path, n)))
        return b"".join(open(os.path.join(path, n), "rb").read() for n in names)
    return open(path, "rb").read()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--text", default="/usr/share/games/fortunes")
    p.add_argument("--seq-length", type=int, default=40)
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    text = read_corpus(a.text)
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = np.array([index[c] for c in text], dtype=np.int64)
    model = CharRNN(len(chars))
    opt = make_optimizer(model, lr=a.lr)
    losses = []
    start = time.time()
    for _ in range(a.steps):
        starts = rng.integers(0, len(ids) - a.seq_length, size=a.batch_size)
        x = torch.from_numpy(np.stack([ids[s:s + a.seq_length] for s in starts]))
        y = torch.from_numpy(ids[starts + a.seq_length])
        loss = prob_loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    seconds = time.time() - start
    print(json.dumps({"peer": "pytorch " + torch.__version__, "final_loss": float(np.mean(losses[-100:])),
                      "steps_per_s": a.steps / seconds, "seed": a.seed, "distinct_chars": len(chars)}))


if __name__ == "__main__":
    main()
