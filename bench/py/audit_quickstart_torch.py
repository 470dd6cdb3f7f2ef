"""Baseline for bench/audit.ts: the quickstart's model stage in PyTorch (Debian python3-torch).

Trains the quickstart's models exactly as configs/quickstart.yaml describes them -- Conv2D(16, 3x3,
relu, valid) + MaxPool 2x2, Dense(128, relu), Dense(10); Adam lr 1e-3; batch 32; EPOCHS epochs on
TRAIN Fashion-MNIST images each (pixels / 255) -- then computes each model's logits on the audit and
population samples and their mirror images (2 queries). 2 threads. Prints one JSON line:
{"train_seconds", "infer_seconds", "models", "train_accuracy", "test_accuracy"}.

  /usr/bin/python3 bench/py/audit_quickstart_torch.py MODELS TRAIN EPOCHS AUDIT POPULATION
"""
import gzip, json, sys, time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(2)
models, train_n, epochs, audit_n, pop_n = (int(a) for a in sys.argv[1:6])
root = "/usr/share/datasets/fashion-mnist/"


def idx(name, offset):
    with gzip.open(root + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:audit_n].astype(np.float32) / 255
y = idx("train-labels-idx1-ubyte.gz", 8)[:audit_n].astype(np.int64)
xt = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:pop_n].astype(np.float32) / 255
yt = idx("t10k-labels-idx1-ubyte.gz", 8)[:pop_n].astype(np.int64)
x, y, xt, yt = map(torch.tensor, (x, y, xt, yt))

train_s = infer_s = 0.0
accs, taccs = [], []
for m in range(models):
    torch.manual_seed(m)
    rows = torch.randperm(audit_n)[:train_n]
    net = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(13 * 13 * 16, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = rows[torch.randperm(train_n)]
        for s in range(0, train_n, 32):
            i = perm[s:s + 32]
            loss = nn.functional.cross_entropy(net(x[i]), y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
    train_s += time.perf_counter() - t0
    t0 = time.perf_counter()
    with torch.no_grad():
        outs = [net(a) for a in (x, torch.flip(x, [3]), xt, torch.flip(xt, [3]))]
    infer_s += time.perf_counter() - t0
    accs.append((outs[0][rows].argmax(1) == y[rows]).float().mean().item())
    taccs.append((outs[2].argmax(1) == yt).float().mean().item())
print(json.dumps({"train_seconds": train_s, "infer_seconds": infer_s, "models": models,
                  "train_accuracy": float(np.mean(accs)), "test_accuracy": float(np.mean(taccs))}))
