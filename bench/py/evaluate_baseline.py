"""What a scoring server would run in Python for `mia evaluate`: read scores.csv (id,score) and
truth.csv (id,member), join on id, and compute AUC and TPR at 0.1/1/5/10% FPR with scikit-learn.
Usage: python3 evaluate_baseline.py SCORES TRUTH → one JSON line {seconds, auc, n}."""
import csv, json, sys, time

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

t0 = time.perf_counter()
with open(sys.argv[1], newline="") as f:
    r = csv.reader(f)
    next(r)
    scores = {row[0]: float(row[1]) for row in r}
with open(sys.argv[2], newline="") as f:
    r = csv.reader(f)
    next(r)
    truth = {row[0]: row[1] in ("1", "true", "True") for row in r}
ids = list(truth)
y = np.fromiter((truth[i] for i in ids), dtype=bool, count=len(ids))
s = np.fromiter((scores[i] for i in ids), dtype=np.float64, count=len(ids))
auc = roc_auc_score(y, s)
fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
tprs = {str(t): float(tpr[fpr <= t].max()) for t in (0.001, 0.01, 0.05, 0.1)}
print(json.dumps({"seconds": time.perf_counter() - t0, "auc": auc, "n": len(ids), "tpr": tprs}))
