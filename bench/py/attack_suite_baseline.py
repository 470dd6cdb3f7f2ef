"""Baseline for bench/attack-suite.ts: TF Privacy's way of running the threshold attacks on every slice
(numpy signals, sklearn roc_curve + auc per attack x slice). Prints one JSON line."""
import json
import resource
import sys
import time

import numpy as np
from scipy import special
from sklearn import metrics

d = np.load(sys.argv[1])
lt, le, yt, ye = d["logits_train"].astype(np.float64), d["logits_test"].astype(np.float64), d["labels_train"], d["labels_test"]
t0 = time.perf_counter()
logits = np.concatenate([lt, le])
labels = np.concatenate([yt, ye])
member = np.concatenate([np.ones(len(yt)), np.zeros(len(ye))])
n = len(labels)
probs = special.softmax(logits, axis=1)
py = probs[np.arange(n), labels]
loss = -np.log(np.maximum(py, 1e-8))
logp = -np.log(np.maximum(probs, 1e-30))
entropy = np.sum(probs * logp, axis=1)
mp = probs.copy()
mp[np.arange(n), labels] = 1 - py
mlog = -np.log(np.maximum(1 - probs, 1e-30))
mlog[np.arange(n), labels] = -np.log(np.maximum(py, 1e-30))
ment = np.sum(mp * mlog, axis=1)
wrong = probs.sum(axis=1) - py
phi = np.log(py + 1e-45) - np.log(wrong + 1e-45)
signals = [-loss, -entropy, py, -ment, phi]
correct = probs.argmax(axis=1) == labels
cuts = np.sort(loss)[[int(k * n / 10) for k in range(1, 10)]]
decile = 1 + np.searchsorted(cuts, loss, side="right")
masks = [np.ones(n, bool)] + [labels == k for k in range(10)] + [correct, ~correct] + [decile == k for k in range(1, 11)]
aucs = []
for s in signals:
    for m in masks:
        fpr, tpr, _ = metrics.roc_curve(member[m], s[m], drop_intermediate=False)
        aucs.append(metrics.auc(fpr, tpr))
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "aucs": aucs}))
