"""LiRA in numpy: the formulas of src/attacks/lira.ts (header there), two ways.

  lira          the way a numpy user would write them: masked sums (np.where), two-pass standard
                deviations (as np.std computes them), scipy.stats.norm.logpdf / logcdf.
  lira_onepass  the same statistics as src/attacks/lira.ts computes them: one pass of sums and sums of
                squares per sample (Σx, Σx², Σ_IN x, Σ_IN x² in float64; var = E[x²] − E[x]², clamped at 0),
                vectorised with einsum — the fastest numpy form we know for these formulas.

Two uses:
  python3 bench/py/lira_numpy.py fixture OUT.json
      writes the small fixture test/attacks/lira.test.ts checks against (random inputs + scores of all
      five variants (from `lira`) + log Φ on a grid).
  python3 bench/py/lira_numpy.py bench IN.npz OUT.npz
      the baseline of bench/lira.ts: reads keep [M, N] bool, scores [M, N] float32, target [N]; times
      every variant both ways (best of 3, loading excluded) and writes the scores (`<variant>`,
      `onepass_<variant>`) and the times (`seconds_<variant>`, `seconds_onepass_<variant>`).
"""
import json
import sys
import time

import numpy as np
import scipy.special
import scipy.stats

VARIANTS = ["lira-online", "lira-online-fixed-variance", "lira-offline", "lira-offline-fixed-variance", "lira-global"]


def lira(keep, scores, target, variant):
    """keep [M, N] bool, scores [M, N, A], target [N, A] -> [N] float64 (higher = member)."""
    if variant == "lira-global":
        return target.astype(np.float64).mean(1)
    x = scores.astype(np.float64)
    k = keep[:, :, None]
    n_in = k.sum(0)  # [N, 1]
    n_out = (~k).sum(0)
    x_in = np.where(k, x, 0.0)
    x_out = np.where(k, 0.0, x)
    mean_in = x_in.sum(0) / n_in
    mean_out = x_out.sum(0) / n_out
    online = variant.startswith("lira-online")
    fixed = variant.endswith("fixed-variance")
    if fixed:
        # np.std over every IN (OUT) value, around their grand mean
        std_in = np.std(x[np.broadcast_to(k, x.shape)])
        std_out = np.std(x[np.broadcast_to(~k, x.shape)])
    else:
        std_in = np.sqrt((np.where(k, x - mean_in, 0.0) ** 2).sum(0) / n_in)
        std_out = np.sqrt((np.where(k, 0.0, x - mean_out) ** 2).sum(0) / n_out)
    t = target.astype(np.float64)
    if online:
        s = scipy.stats.norm.logpdf(t, mean_in, std_in + 1e-30) - scipy.stats.norm.logpdf(t, mean_out, std_out + 1e-30)
    else:
        s = scipy.stats.norm.logcdf(t, mean_out, std_out + 1e-30)
    return s.mean(1)


def lira_onepass(keep, scores, target, variant):
    """As `lira`, with the statistics of src/attacks/lira.ts: one pass of sums and sums of squares."""
    if variant == "lira-global":
        return target.astype(np.float64).mean(1)
    m, n, a = scores.shape
    x = scores.astype(np.float64).reshape(m, n * a)
    k = keep if a == 1 else np.repeat(keep, a, axis=1)  # [M, N*A]
    n_in = keep.sum(0, dtype=np.float64)
    if a > 1:
        n_in = n_in.repeat(a)
    n_out = m - n_in
    xin = x * k
    s_all = x.sum(0)
    s_in = xin.sum(0)
    q_all = np.einsum("ij,ij->j", x, x)
    q_in = np.einsum("ij,ij->j", xin, x)
    mean_in = s_in / n_in
    mean_out = (s_all - s_in) / n_out
    online = variant.startswith("lira-online")
    fixed = variant.endswith("fixed-variance")
    if fixed:
        g_in = s_in.sum() / n_in.sum()
        g_out = (s_all - s_in).sum() / n_out.sum()
        std_in = np.sqrt(max(0.0, q_in.sum() / n_in.sum() - g_in * g_in))
        std_out = np.sqrt(max(0.0, (q_all - q_in).sum() / n_out.sum() - g_out * g_out))
    else:
        std_in = np.sqrt(np.maximum(0.0, q_in / n_in - mean_in * mean_in))
        std_out = np.sqrt(np.maximum(0.0, (q_all - q_in) / n_out - mean_out * mean_out))
    t = target.astype(np.float64).reshape(n * a)
    if online:
        s = scipy.stats.norm.logpdf(t, mean_in, std_in + 1e-30) - scipy.stats.norm.logpdf(t, mean_out, std_out + 1e-30)
    else:
        s = scipy.stats.norm.logcdf(t, mean_out, std_out + 1e-30)
    return s.reshape(n, a).mean(1)


def fixture(out_path):
    rng = np.random.default_rng(20240501)
    cases = []
    for m, n, a in [(9, 30, 1), (8, 25, 3)]:
        keep = rng.random((m, n)) < 0.5
        keep[0, :] = True  # every sample has an IN model
        keep[1, :] = False  # and an OUT model
        base = rng.normal(2.0, 3.0, size=(1, n, 1))
        scores = base + rng.normal(0, 1.0, size=(m, n, a)) + 2.5 * keep[:, :, None]
        target = (base[0] + rng.normal(0.5, 1.5, size=(n, a)))
        case = {
            "M": m, "N": n, "A": a,
            "keep": keep.astype(int).ravel().tolist(),
            "scores": scores.ravel().tolist(),
            "target": target.ravel().tolist(),
            "expected": {v: lira(keep, scores, target, v).tolist() for v in VARIANTS},
        }
        cases.append(case)
    z = np.concatenate([np.linspace(-40, 40, 161), [-1e3, -38.5, -8.3, -2.83, 2.83, 8.3, 37.5, 1e-8, -1e-8]])
    with open(out_path, "w") as f:
        json.dump({"cases": cases, "log_ndtr": {"z": z.tolist(), "value": scipy.special.log_ndtr(z).tolist()}}, f)


def bench(in_path, out_path):
    d = np.load(in_path)
    keep = d["keep"].astype(bool)
    scores = d["scores"]
    target = d["target"]
    if scores.ndim == 2:
        scores = scores[:, :, None]
    if target.ndim == 1:
        target = target[:, None]
    res = {}
    for name, f in [("", lira), ("onepass_", lira_onepass)]:
        for v in VARIANTS:
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                s = f(keep, scores, target, v)
                best = min(best, time.perf_counter() - t0)
            res[name + v] = s
            res["seconds_" + name + v] = np.array(best)
    np.savez(out_path, **res)


if __name__ == "__main__":
    if sys.argv[1] == "fixture":
        fixture(sys.argv[2])
    else:
        bench(sys.argv[2], sys.argv[3])
