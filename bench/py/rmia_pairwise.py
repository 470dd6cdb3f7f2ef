"""Baseline of bench/rmia.ts: offline RMIA the way Privacy Meter computes it (modules/mia/attacks/rmia.py,
run_rmia) — likelihood ratios, then the N x Z matrix `prob_ratio_x[:, None] / prob_ratio_z` compared
with gamma and averaged.

usage: python3 bench/py/rmia_pairwise.py IN.npz OUT.npz
IN.npz: keep [M, N] bool, ref_p [M, N], target_p [N], pop_p [M, Z], pop_target_p [Z] (float64
probabilities), a, gamma, rows (the slice of audit samples Privacy Meter's one-matrix form runs on),
block (rows per chunk of the cache-blocked form), repeats.
Pr(x) sums the OUT reference probabilities model by model in row order (adding 0.0 for IN ones), which
is the order src/attacks/rmia.ts sums in, so the scores can be compared for exact equality. (Privacy
Meter sorts each row first; with paired models that selects the same OUT values.)

Two timings of the N x Z part, each the best of `repeats`:
  seconds_pairwise  Privacy Meter's form: one `rows` x Z matrix (the full N x Z matrix needs 4.5 GB at
                    N = 50,000, Z = 10,000; the caller extrapolates linearly to N)
  seconds_blocked   the same computation over all N in chunks of `block` rows, so that the temporaries stay
                    in the cache (not Privacy Meter's code; a reference for what numpy can do pairwise)
OUT.npz: scores [N] (from the blocked form; the one-matrix slice is checked equal to it here),
seconds_ratios (the O(MN + MZ) part, all N), seconds_pairwise, seconds_blocked, rows.
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
    block = int(d["block"])
    repeats = int(d["repeats"])
    best_r = best_p = best_b = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        rx, rz = ratios(keep, d["ref_p"], d["target_p"], d["pop_p"], d["pop_target_p"], a)
        t1 = time.perf_counter()
        r = rx[:rows, np.newaxis] / rz
        counts = np.average(r > gamma, axis=1)
        t2 = time.perf_counter()
        del r
        scores = np.empty(len(rx))
        for s in range(0, len(rx), block):
            scores[s:s + block] = np.average(rx[s:s + block, np.newaxis] / rz > gamma, axis=1)
        t3 = time.perf_counter()
        best_r = min(best_r, t1 - t0)
        best_p = min(best_p, t2 - t1)
        best_b = min(best_b, t3 - t2)
    if not np.array_equal(counts, scores[:rows]):
        raise SystemExit("the one-matrix and blocked forms disagree")
    np.savez(sys.argv[2], scores=scores, seconds_ratios=np.array(best_r), seconds_pairwise=np.array(best_p),
             seconds_blocked=np.array(best_b), rows=np.array(rows))


if __name__ == "__main__":
    main()
