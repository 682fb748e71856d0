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


def read_corpus(path):
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path)
                       if not n.endswith(".dat") and os.path.isfile(os.path.join(path, n))
                       and not os.path.islink(os.path.join(path, n)))
        return b"".join(open(os.path.join(path, n), "rb").read() for n in names)
    return open(path, "rb").read()


class CharRNN(torch.nn.Module):
    def __init__(self, num_chars, units=256):
        super().__init__()
        self.num_chars = num_chars
        self.cell = torch.nn.LSTMCell(num_chars, units)
        self.dense = torch.nn.Linear(units, num_chars)
        # Keras defaults. PyTorch's gate order (i, f, g, o) matches Keras's (i, f, c, o).
        torch.nn.init.xavier_uniform_(self.cell.weight_ih)
        # Keras's orthogonal initializer covers the whole recurrent kernel [units, 4 units].
        w_hh = torch.empty(units, 4 * units)
        torch.nn.init.orthogonal_(w_hh)
        with torch.no_grad():
            self.cell.weight_hh.copy_(w_hh.t())
            self.cell.bias_ih.zero_()
            self.cell.bias_hh.zero_()
            self.cell.bias_ih[units:2 * units] = 1.0  # unit_forget_bias
        torch.nn.init.xavier_uniform_(self.dense.weight)
        torch.nn.init.zeros_(self.dense.bias)

    def forward(self, ids):
        x = torch.nn.functional.one_hot(ids, self.num_chars).float()
        h = torch.zeros(ids.shape[0], self.cell.hidden_size)
        c = torch.zeros_like(h)
        for t in range(ids.shape[1]):
            h, c = self.cell(x[:, t, :], (h, c))
        return torch.softmax(self.dense(h), dim=-1)


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
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, eps=1e-7)
    losses = []
    start = time.time()
    for _ in range(a.steps):
        starts = rng.integers(0, len(ids) - a.seq_length, size=a.batch_size)
        x = torch.from_numpy(np.stack([ids[s:s + a.seq_length] for s in starts]))
        y = torch.from_numpy(ids[starts + a.seq_length])
        prob = model(x).clamp(1e-7, 1 - 1e-7)
        loss = torch.nn.functional.nll_loss(torch.log(prob), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    seconds = time.time() - start
    print(json.dumps({"peer": "pytorch " + torch.__version__, "final_loss": float(np.mean(losses[-100:])),
                      "steps_per_s": a.steps / seconds, "seed": a.seed, "distinct_chars": len(chars)}))


if __name__ == "__main__":
    main()
