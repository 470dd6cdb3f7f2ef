"""PyTorch baseline for bench/resnet.ts: the residual architectures mia-audit registers, written as
torch.nn modules in the layouts they follow, trained with SGD (momentum 0.9, weight decay 5e-4,
softmax cross-entropy, batch norm in training mode) or run for batched eval-mode inference on random
data. Prints one JSON line: {"torch": version, "threads": n, "samples_per_s": x, "cpu_s_per_1k":
process CPU seconds (all threads) per 1000 samples, "steps": s, "params": p, "max_rss_mb": m}.

  resnet18           kuangliu/pytorch-cifar ResNet18 (conv3×3 stem, no max-pool), --width filters
  wrn28              xternalz/WideResNet-pytorch WRN-28-k (pre-activation wide blocks), --widen k
  resnet18_imagenet  torchvision.models.resnet18 (conv7×7/2 stem, max-pool 3×3/2), --width filters

Usage: python3 torch_resnet.py --model resnet18 --mode train|infer [--batch 128] [--size 32]
       [--classes 10] [--width 64] [--widen 2] [--seconds 20] [--threads 2]
Run with OMP_WAIT_POLICY=PASSIVE (bench/resnet.ts sets it).
"""
import argparse
import json
import resource
import time

import torch
from torch import nn


class Basic(nn.Module):
    def __init__(self, cin, f, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, f, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(f)
        self.c2 = nn.Conv2d(f, f, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(f)
        self.short = nn.Sequential()
        if stride != 1 or cin != f:
            self.short = nn.Sequential(nn.Conv2d(cin, f, 1, stride, bias=False), nn.BatchNorm2d(f))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        return torch.relu(self.b2(self.c2(y)) + self.short(x))


class ResNet18(nn.Module):
    def __init__(self, channels, classes, width, imagenet):
        super().__init__()
        if imagenet:
            self.stem = nn.Sequential(
                nn.Conv2d(channels, width, 7, 2, 3, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                nn.MaxPool2d(3, 2, 1))
        else:
            self.stem = nn.Sequential(
                nn.Conv2d(channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        blocks, c = [], width
        for stage, m in enumerate([1, 2, 4, 8]):
            for j in range(2):
                blocks.append(Basic(c, width * m, 2 if stage > 0 and j == 0 else 1))
                c = width * m
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        return self.fc(self.blocks(self.stem(x)).mean((2, 3)))


class Wide(nn.Module):
    def __init__(self, cin, f, stride):
        super().__init__()
        self.b1 = nn.BatchNorm2d(cin)
        self.c1 = nn.Conv2d(cin, f, 3, stride, 1, bias=False)
        self.b2 = nn.BatchNorm2d(f)
        self.c2 = nn.Conv2d(f, f, 3, 1, 1, bias=False)
        self.short = nn.Conv2d(cin, f, 1, stride, bias=False) if stride != 1 or cin != f else None

    def forward(self, x):
        o = torch.relu(self.b1(x))
        s = x if self.short is None else self.short(o)
        return self.c2(torch.relu(self.b2(self.c1(o)))) + s


class WRN(nn.Module):
    def __init__(self, channels, classes, depth, widen):
        super().__init__()
        n = (depth - 4) // 6
        self.stem = nn.Conv2d(channels, 16, 3, 1, 1, bias=False)
        blocks, c = [], 16
        for stage, f in enumerate([16, 32, 64]):
            for j in range(n):
                blocks.append(Wide(c, f * widen, 2 if stage > 0 and j == 0 else 1))
                c = f * widen
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.blocks(self.stem(x)))).mean((2, 3)))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet18")
    p.add_argument("--mode", default="train")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--widen", type=int, default=2)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.model == "wrn28":
        model = WRN(a.channels, a.classes, 28, a.widen)
    elif a.model in ("resnet18", "resnet18_imagenet"):
        model = ResNet18(a.channels, a.classes, a.width, a.model == "resnet18_imagenet")
    else:
        raise SystemExit(f"unknown model {a.model}")
    batches = [(torch.rand(a.batch, a.channels, a.size, a.size), torch.randint(0, a.classes, (a.batch,)))
               for _ in range(2)]
    if a.mode == "train":
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
        loss_fn = nn.CrossEntropyLoss()

        def step(i: int) -> None:
            x, y = batches[i % 2]
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
    else:
        model.eval()

        def step(i: int) -> None:
            with torch.no_grad():
                model(batches[i % 2][0])

    step(0)
    steps, c0, t0 = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - t0 < a.seconds or steps < 2:
        step(steps)
        steps += 1
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    samples = steps * a.batch
    print(json.dumps({
        "torch": torch.__version__,
        "threads": a.threads,
        "samples_per_s": samples / wall,
        "cpu_s_per_1k": cpu / samples * 1000,
        "steps": steps,
        "params": sum(q.numel() for q in model.parameters()),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
