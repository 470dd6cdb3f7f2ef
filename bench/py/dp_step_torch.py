"""PyTorch 1.13 baseline of bench/dp.ts: one DP-SGD step (per-sample gradients by functorch's
vmap(grad), each clipped to C = 1 with Opacus's factor, summed, Gaussian noise σ·C with σ = 1, divided
by the batch size, an SGD update) and one plain SGD step, for TF Privacy's small_cnn and a dense 4x512
net on 28x28x1 inputs, batch 64, float32, 2 threads. Prints JSON {name: {plain_ms, dp_ms}}.

Run: /usr/bin/python3 bench/py/dp_step_torch.py [steps]
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from functorch import grad, make_functional, vmap

torch.set_num_threads(2)
torch.manual_seed(1)
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 30
B = 64


def small_cnn():
    # 3 x [Conv2D(32, 3x3, valid) + relu + MaxPool(2)], Dense(64), Dense(10): as mia-audit's small_cnn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def dense():
    layers = [nn.Flatten()]
    width = 784
    for _ in range(4):
        layers += [nn.Linear(width, 512), nn.ReLU()]
        width = 512
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def bench(model):
    x = torch.rand(B, 1, 28, 28)
    y = torch.randint(0, 10, (B,))
    fmodel, params = make_functional(model)
    params = [p.detach().clone() for p in params]

    def loss_one(ps, xi, yi):
        return F.cross_entropy(fmodel(ps, xi.unsqueeze(0)), yi.unsqueeze(0))

    per_sample = vmap(grad(loss_one), in_dims=(None, 0, 0))

    def dp_step():
        with torch.no_grad():
            g = per_sample(params, x, y)
            sq = sum(t.reshape(B, -1).pow(2).sum(1) for t in g)
            c = (1.0 / (sq.sqrt() + 1e-6)).clamp(max=1.0)
            for p, t in zip(params, g):
                s = torch.einsum('i,i...->...', c, t)
                s += torch.randn_like(s)
                p -= 0.01 * s / B

    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def plain_step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    def time_ms(f):
        for _ in range(3):
            f()
        t = time.perf_counter()
        for _ in range(steps):
            f()
        return (time.perf_counter() - t) / steps * 1000

    return {'plain_ms': time_ms(plain_step), 'dp_ms': time_ms(dp_step)}


print(json.dumps({'small_cnn': bench(small_cnn()), 'dense 4×512': bench(dense())}))
