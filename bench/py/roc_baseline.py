"""Baseline of bench/roc.ts: the metrics of one attack with numpy / scikit-learn, the way a Python user
computes them.

  python3 bench/py/roc_baseline.py SCORES.npy IS_MEMBER.npy REPEATS

Times, per repeat (loading excluded): sklearn.metrics.roc_curve(y, s, drop_intermediate=False),
sklearn.metrics.auc, TPR at FPR <= 0.001 / 0.01 / 0.05 / 0.1 (np.searchsorted on fpr, the vectorized form
of tpr[np.where(fpr <= t)[0][-1]]) with Clopper-Pearson intervals (scipy.stats.beta.ppf), the advantage
max(tpr - fpr) and TF Privacy's get_ppv (vectorized: fpr * ratio instead of its per-element list).
Prints one JSON line: seconds per repeat, load seconds, the results, peak RSS after loading and at the end.
"""
import json
import resource
import sys
import time

import numpy as np
from scipy.stats import beta
from sklearn.metrics import auc, roc_curve

TARGETS = [0.001, 0.01, 0.05, 0.1]


def metrics(y, s, n1, n0):
    fpr, tpr, thresholds = roc_curve(y, s, drop_intermediate=False)
    area = auc(fpr, tpr)
    at = {}
    for t in TARGETS:
        i = int(np.searchsorted(fpr, t, side="right")) - 1
        k = int(round(tpr[i] * n1))
        low = 0.0 if k == 0 else float(beta.ppf(0.025, k, n1 - k + 1))
        high = 1.0 if k == n1 else float(beta.ppf(0.975, k + 1, n1 - k))
        at[repr(t)] = {"tpr": float(tpr[i]), "fpr": float(fpr[i]), "low": low, "high": high}
    advantage = float(np.max(tpr - fpr))
    ratio = n0 / n1
    den = tpr + fpr * ratio
    both0 = np.logical_and(np.isclose(tpr, 0.0, atol=1e-3), np.isclose(fpr, 0.0, atol=1e-3))
    other = np.divide(tpr, den, out=np.zeros_like(den), where=den != 0)
    ppv = float(np.max(np.where(both0, 1.0 / (1.0 + ratio), other)))
    return {"auc": float(area), "advantage": advantage, "ppv": ppv, "tprAtFpr": at, "points": int(len(fpr))}


def main():
    scores_path, labels_path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    t0 = time.perf_counter()
    s = np.load(scores_path)
    y = np.load(labels_path)
    load = time.perf_counter() - t0
    n1 = int(y.sum())
    n0 = int(len(y) - n1)
    loaded_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds = []
    result = None
    for _ in range(repeats):
        t = time.perf_counter()
        result = metrics(y, s, n1, n0)
        seconds.append(time.perf_counter() - t)
    result["seconds"] = seconds
    result["loadSeconds"] = load
    result["loadedRssMB"] = loaded_rss
    result["maxRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
