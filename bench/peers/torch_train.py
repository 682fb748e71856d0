#!/usr/bin/env python3
"""PyTorch's side of build/bin/train_bench: the same models (torch_models.py), synthetic batches of the same
shapes, Adam(1e-3), the same flags and the same one-line JSON: model, mode, device, threads, batch_size,
steps, steps_per_s, examples_per_s, peak_rss_mb, peak_gpu_mb, start_to_first_step_s (plus variant and
framework). Variants: eager (default), --cuda-graphs (the whole training step captured once and replayed),
--compile (torch.compile of the model).

  /usr/bin/python3 bench/peers/torch_train.py --model cnn --device cpu --threads 2 --seconds 5

glibc is told to keep its memory (it would page-fault fresh mmap'd buffers every step; DESIGN.md): the
script re-executes itself once with MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ set, before torch loads.
"""
import os
import sys

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "4294967296", "MALLOC_TRIM_THRESHOLD_": "4294967296"}
if any(os.environ.get(k) != v for k, v in MALLOC_ENV.items()):
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **MALLOC_ENV})

import json  # noqa: E402  (after the re-exec on purpose)
import resource  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_harness import (BATCH_POOL, CHAR_RNN_SEQ_LENGTH, CHAR_RNN_VOCABULARY, check_common,  # noqa: E402
                          common_parser, time_steps)
from torch_models import CharRNN, loss_fn, make_mnist_model, make_optimizer, prob_loss_fn  # noqa: E402




def parse_args():
    p = common_parser("Time training steps (or inference) of the notes' models in PyTorch.", ["cpu", "cuda", "auto"],
                      "CPU threads (0 = PyTorch's default, all cores)")
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--cuda-graphs", action="store_true", help="capture the whole step in a CUDA graph (cuda only)")
    a = p.parse_args()
    check_common(p, a)
    if a.compile and a.cuda_graphs:
        p.error("--compile and --cuda-graphs are separate variants: pick one")
    return p, a


def pick_device(name, parser_error):
    if name == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if name == "cuda":
        parser_error("--device cuda: torch.cuda.is_available() is False on this machine; use --device cpu")
    print("torch_train: no CUDA device found: measuring on the CPU.", file=sys.stderr)
    return torch.device("cpu")


def make_batches(model_name, batch_size, device, generator):
    batches = []
    for _ in range(BATCH_POOL):
        if model_name == "rnn":
            x = torch.randint(0, CHAR_RNN_VOCABULARY, (batch_size, CHAR_RNN_SEQ_LENGTH), generator=generator)
            y = torch.randint(0, CHAR_RNN_VOCABULARY, (batch_size,), generator=generator)
        else:
            x = torch.rand((batch_size, 1, 28, 28), generator=generator)
            y = torch.randint(0, 10, (batch_size,), generator=generator)
        batches.append((x.to(device), y.to(device)))
    return batches


def make_step(a, model, batches, device):
    """Returns step() -> a tensor that is ready once the step has finished."""
    is_rnn = a.model == "rnn"
    net = torch.compile(model) if a.compile else model
    loss_of = (lambda x, y: prob_loss_fn(net(x), y)) if is_rnn else (lambda x, y: loss_fn(net(x), y))
    cursor = [0]

    def next_batch():
        batch = batches[cursor[0]]
        cursor[0] = (cursor[0] + 1) % len(batches)
        return batch

    if a.eval:
        model.eval()

        def predict():
            with torch.no_grad():
                return net(next_batch()[0])
        return predict

    opt = make_optimizer(model, capturable=a.cuda_graphs)
    if not a.cuda_graphs:
        def train():
            x, y = next_batch()
            loss = loss_of(x, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss
        return train

    # Whole-step capture (PyTorch's documented recipe): warm up on a side stream, capture once, then each
    # step copies the next batch into the static inputs and replays the graph.
    static_x, static_y = (t.clone() for t in batches[0])
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            opt.zero_grad(set_to_none=True)
            loss_of(static_x, static_y).backward()
            opt.step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        static_loss = loss_of(static_x, static_y)
        static_loss.backward()
        opt.step()

    def replay():
        x, y = next_batch()
        static_x.copy_(x)
        static_y.copy_(y)
        graph.replay()
        return static_loss
    return replay


def main():
    parser, a = parse_args()
    device = pick_device(a.device, parser.error)
    if a.cuda_graphs and device.type != "cuda":
        parser.error("--cuda-graphs needs --device cuda (or auto on a machine with a GPU)")
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    batch_size = a.batch_size or (1000 if a.eval else 50)
    model = (CharRNN(CHAR_RNN_VOCABULARY) if a.model == "rnn" else make_mnist_model(a.model)).to(device)
    batches = make_batches(a.model, batch_size, device, torch.Generator().manual_seed(a.seed))
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    step = make_step(a, model, batches, device)
    steps, elapsed, last, start_to_first_step = time_steps(step, a.warmup_steps, a.seconds, sync)
    if not a.eval and not torch.isfinite(last).item():
        sys.exit(f"torch_train: the training loss of --model {a.model} is not finite after {steps} timed steps")

    variant = "compile" if a.compile else "cuda-graphs" if a.cuda_graphs else "eager"
    print(json.dumps({
        "model": a.model, "mode": "eval" if a.eval else "train", "device": device.type,
        "threads": torch.get_num_threads(), "batch_size": batch_size, "steps": steps,
        "steps_per_s": steps / elapsed, "examples_per_s": steps * batch_size / elapsed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else None,
        "start_to_first_step_s": start_to_first_step,
        "variant": variant, "framework": "pytorch " + torch.__version__}))


if __name__ == "__main__":
    main()
