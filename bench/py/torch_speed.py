"""PyTorch baseline for bench/train-speed.ts and bench/infer-speed.ts.

Trains (Adam, softmax cross-entropy) or runs batched inference of the same architectures the TypeScript
benchmarks use, on the same random data shapes, and prints one JSON line:
{"torch": version, "threads": n, "samples_per_s": x, "cpu_s_per_1k": process CPU seconds (all threads)
per 1000 samples, "seconds": t, "steps": s, "loss": l or null, "max_rss_mb": m}.

Usage: python3 torch_speed.py --model small_cnn|dense --mode train|infer [--batch 50] [--seconds 4]
       [--threads 2] [--channels 3 --size 32] [--depth 4 --width 512]
Run with OMP_WAIT_POLICY=PASSIVE (the TypeScript benchmark sets it).
"""
import argparse
import json
import resource
import time

import torch
from torch import nn


def small_cnn(channels: int, size: int, num_conv: int, classes: int) -> nn.Module:
    layers: list = []
    c, s = channels, size
    for _ in range(num_conv):
        layers += [nn.Conv2d(c, 32, 3), nn.ReLU(), nn.MaxPool2d(2)]
        c, s = 32, (s - 2) // 2
    layers += [nn.Flatten(), nn.Linear(c * s * s, 64), nn.ReLU(), nn.Linear(64, classes)]
    return nn.Sequential(*layers)


def dense(inputs: int, depth: int, width: int, classes: int) -> nn.Module:
    layers: list = [nn.Flatten()]
    d = inputs
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.ReLU()]
        d = width
    layers.append(nn.Linear(d, classes))
    return nn.Sequential(*layers)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="small_cnn")
    p.add_argument("--mode", default="train")
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--num-conv", type=int, default=3)
    p.add_argument("--depth", type=int, default=4)
    p.add_argument("--width", type=int, default=512)
    p.add_argument("--classes", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.model == "small_cnn":
        model = small_cnn(a.channels, a.size, a.num_conv, a.classes)
        shape = (a.batch, a.channels, a.size, a.size)
    elif a.model == "dense":
        model = dense(a.channels * a.size * a.size, a.depth, a.width, a.classes)
        shape = (a.batch, a.channels * a.size * a.size)
    else:
        raise SystemExit(f"unknown model {a.model}")
    batches = [(torch.rand(shape), torch.randint(0, a.classes, (a.batch,))) for _ in range(8)]
    loss_fn = nn.CrossEntropyLoss()
    loss_value = None
    if a.mode == "train":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step(i: int) -> None:
            nonlocal loss_value
            x, y = batches[i % len(batches)]
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            if i % 20 == 0:
                loss_value = float(loss)
    else:
        model.eval()

        def step(i: int) -> None:
            x, _ = batches[i % len(batches)]
            with torch.no_grad():
                model(x).softmax(1)

    for i in range(5):  # warm-up
        step(i)
    steps = 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < a.seconds:
        step(steps)
        steps += 1
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "samples_per_s": steps * a.batch / dt,
        "cpu_s_per_1k": cpu / (steps * a.batch) * 1000,
        "seconds": dt,
        "steps": steps,
        "loss": loss_value,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
