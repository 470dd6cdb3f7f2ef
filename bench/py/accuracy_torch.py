"""PyTorch baseline for bench/accuracy.ts: the TF Privacy codelab's small CNN trained on the same
Fashion-MNIST rows with the same hyper-parameters, test accuracy after every epoch.

Model: num_conv x [Conv2d(c, 32, 3) + ReLU + MaxPool2d(2)], Flatten, Linear(., 64) + ReLU, Linear(64, 10),
initialised as Keras does (Glorot-uniform weights, zero biases). Adam (torch defaults except lr and eps as
given), softmax cross-entropy, mini-batches reshuffled every epoch by a seeded torch.Generator.

With --arch resnet18: the CIFAR ResNet-18 (kuangliu/pytorch-cifar layout, first-stage width --width),
initialised as mia-audit's resnet18 (He-normal fan-out convs, BN gamma 1 / beta 0, Glorot-uniform
Linear), SGD with --momentum, and with --augment crop:P,flip each training batch randomly cropped from
its P-pixel zero padding and mirrored with probability 1/2 (torchvision's RandomCrop + RandomHorizontalFlip,
drawn from the seeded generator).

Usage: python3 accuracy_torch.py DIR [--epochs 10] [--batch 50] [--lr 0.001] [--eps 1e-8] [--seed 1]
       [--threads 2] [--num-conv 3] [--arch small_cnn|resnet18] [--width 16] [--optimizer adam|sgd]
       [--momentum 0.9] [--augment crop:4,flip]
DIR holds x_train.npy (n x 28 x 28 x 1 float32, NHWC), y_train.npy (int32), x_test.npy, y_test.npy.
Prints one JSON line: {"torch", "threads", "history": [{"epoch", "train_loss", "train_accuracy",
"test_accuracy", "train_seconds"}], "train_seconds", "samples_per_s", "max_rss_mb"}.
Run with OMP_WAIT_POLICY=PASSIVE (bench/accuracy.ts sets it).
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch
from torch import nn


def small_cnn(channels: int, size: int, num_conv: int, classes: int) -> nn.Module:
    layers: list = []
    c, s = channels, size
    for _ in range(num_conv):
        layers += [nn.Conv2d(c, 32, 3), nn.ReLU(), nn.MaxPool2d(2)]
        c, s = 32, (s - 2) // 2
    layers += [nn.Flatten(), nn.Linear(c * s * s, 64), nn.ReLU(), nn.Linear(64, classes)]
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def resnet18(channels: int, width: int, classes: int) -> nn.Module:
    """bench/py/torch_resnet.py's CIFAR ResNet-18, initialised as mia-audit's resnet18."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_resnet import ResNet18

    model = ResNet18(channels, classes, width, imagenet=False)
    for mod in model.modules():
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, mode='fan_out', nonlinearity='relu')
        elif isinstance(mod, nn.Linear):
            nn.init.xavier_uniform_(mod.weight)
            nn.init.zeros_(mod.bias)
    return model


def augment(xb: torch.Tensor, crop: int, flip: bool, gen: torch.Generator) -> torch.Tensor:
    """Random crop of the crop-pixel zero-padded images, then horizontal flips with probability 1/2."""
    n, _, h, w = xb.shape
    if crop > 0:
        padded = torch.nn.functional.pad(xb, (crop, crop, crop, crop))
        dy = torch.randint(0, 2 * crop + 1, (n,), generator=gen)
        dx = torch.randint(0, 2 * crop + 1, (n,), generator=gen)
        xb = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])
    if flip:
        mask = torch.rand(n, generator=gen) < 0.5
        xb = torch.where(mask[:, None, None, None], xb.flip(3), xb)
    return xb


def peak_rss_mb() -> float:
    """VmHWM from /proc/self/status (not inherited across fork + exec, unlike ru_maxrss)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--batch', type=int, default=50)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--eps', type=float, default=1e-8)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--num-conv', type=int, default=3)
    ap.add_argument('--arch', default='small_cnn')
    ap.add_argument('--width', type=int, default=16)
    ap.add_argument('--optimizer', default='adam')
    ap.add_argument('--momentum', type=float, default=0.0)
    ap.add_argument('--augment', default='')
    a = ap.parse_args()
    crop = next((int(t[5:]) for t in a.augment.split(',') if t.startswith('crop:')), 0)
    flip = 'flip' in a.augment.split(',')
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    def load(name: str) -> np.ndarray:
        return np.load(os.path.join(a.dir, name))

    # NHWC rows → NCHW tensors
    x_train = torch.from_numpy(load('x_train.npy')).permute(0, 3, 1, 2).contiguous()
    y_train = torch.from_numpy(load('y_train.npy').astype(np.int64))
    x_test = torch.from_numpy(load('x_test.npy')).permute(0, 3, 1, 2).contiguous()
    y_test = torch.from_numpy(load('y_test.npy').astype(np.int64))
    n = x_train.shape[0]
    classes = int(max(y_train.max(), y_test.max())) + 1
    if a.arch == 'resnet18':
        model = resnet18(x_train.shape[1], a.width, classes)
    else:
        model = small_cnn(x_train.shape[1], x_train.shape[2], a.num_conv, classes)
    if a.optimizer == 'sgd':
        opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=a.lr, eps=a.eps)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(a.seed)
    history = []
    total = 0.0
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(n, generator=gen)
        t0 = time.perf_counter()
        loss_sum, correct = 0.0, 0
        for s in range(0, n, a.batch):
            idx = order[s:s + a.batch]
            xb, yb = x_train[idx], y_train[idx]
            if crop > 0 or flip:
                xb = augment(xb, crop, flip, gen)
            opt.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
        dt = time.perf_counter() - t0
        total += dt
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(x_test[i:i + 256]).argmax(1) for i in range(0, x_test.shape[0], 256)])
        history.append({
            'epoch': epoch + 1,
            'train_loss': loss_sum / n,
            'train_accuracy': correct / n,
            'test_accuracy': float((pred == y_test).float().mean()),
            'train_seconds': dt,
        })
    print(json.dumps({
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'history': history,
        'train_seconds': total,
        'samples_per_s': n * a.epochs / total,
        'max_rss_mb': peak_rss_mb(),
    }))


if __name__ == '__main__':
    main()
