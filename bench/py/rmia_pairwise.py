"""Baseline of bench/rmia.ts: offline RMIA the way Privacy Meter computes it (modules/mia/attacks/rmia.py,
run_rmia) — likelihood ratios, then the N x Z matrix `prob_ratio_x[:, None] / prob_ratio_z` compared
with gamma and averaged.

usage: python3 bench/py/rmia_pairwise.py IN.npz OUT.npz
IN.npz: keep [M, N] bool, ref_p [M, N], target_p [N], pop_p [M, Z], pop_target_p [Z] (float64
probabilities), a, gamma, rows (the slice of audit samples the N x Z part runs on), repeats.
Pr(x) sums the OUT reference probabilities model by model in row order (adding 0.0 for IN ones), which
is the order src/attacks/rmia.ts sums in, so the scores can be compared for exact equality. (Privacy
Meter sorts each row first; with paired models that selects the same OUT values.)
OUT.npz: scores [rows] of the slice, seconds_ratios (the O(MN + MZ) part, all N), seconds_pairwise
(the N x Z part on the slice; best of `repeats`), rows.
"""
import sys
import time

import numpy as np


def ratios(keep, ref_p, target_p, pop_p, pop_target_p, a):
    m, n = keep.shape
    s = np.zeros(n)
    c = np.zeros(n, dtype=np.int64)
    for j in range(m):
        out = ~keep[j]
        s += np.where(out, ref_p[j], 0.0)
        c += out
    mean_out_x = s / c
    mean_x = (1 + a) / 2 * mean_out_x + (1 - a) / 2
    prob_ratio_x = target_p / mean_x
    sz = np.zeros(pop_p.shape[1])
    for j in range(m):
        sz += pop_p[j]
    mean_out_z = sz / m
    mean_z = (1 + a) / 2 * mean_out_z + (1 - a) / 2
    prob_ratio_z = pop_target_p / mean_z
    return prob_ratio_x, prob_ratio_z


def main():
    d = np.load(sys.argv[1])
    keep = d["keep"].astype(bool)
    a = float(d["a"])
    gamma = float(d["gamma"])
    rows = int(d["rows"])
    repeats = int(d["repeats"])
    best_r = best_p = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        rx, rz = ratios(keep, d["ref_p"], d["target_p"], d["pop_p"], d["pop_target_p"], a)
        t1 = time.perf_counter()
        r = rx[:rows, np.newaxis] / rz
        counts = np.average(r > gamma, axis=1)
        t2 = time.perf_counter()
        del r
        best_r = min(best_r, t1 - t0)
        best_p = min(best_p, t2 - t1)
    np.savez(sys.argv[2], scores=counts, seconds_ratios=np.array(best_r), seconds_pairwise=np.array(best_p),
             rows=np.array(rows))


if __name__ == "__main__":
    main()
