"""
What each deliberate difference of mia-audit's LiRA from the reference code costs or gains, measured.

    /usr/bin/python3 bench/lira-reference-diff.py mia-demo/quickstart

Reads a run directory of `mia audit` / `mia demo` (keep.npy [M, N] and signals/<model>.npz with
scaled_logit [N, A]), takes each model in turn as the target and the other M − 1 as its references
(all of them: no pair partner left out, as `mia attack --reference` does), and scores the target with
(1) tensorflow/privacy research/mi_lira_2021/plot.py's generate_ours / generate_ours_offline,
transcribed below, and (2) the same with one difference changed at a time, ending at mia-audit's
formulas (src/attacks/lira.ts). Prints AUC and TPR at 1% / 0.1% FPR, each the mean over the M targets.
"""
import sys, os, glob
import numpy as np
import scipy.stats
from sklearn.metrics import roc_auc_score, roc_curve


def load(run):
    keep = np.load(os.path.join(run, 'keep.npy')).astype(bool)
    files = sorted(glob.glob(os.path.join(run, 'signals', '*.npz')))
    # keep rows follow the model order of the audit: target first, then ref-01, ref-02, …
    names = ['target'] + sorted(os.path.basename(f)[:-4] for f in files if not f.endswith('target.npz'))
    scores = np.stack([np.load(os.path.join(run, 'signals', n + '.npz'))['scaled_logit'].astype(np.float64) for n in names])
    return keep, scores  # [M, N], [M, N, A]


def fits(keep, scores, center, truncate):
    """Per-sample IN/OUT centres and stds (ddof 0), as lists of arrays over the references."""
    dat_in = [scores[keep[:, j], j, :] for j in range(scores.shape[1])]
    dat_out = [scores[~keep[:, j], j, :] for j in range(scores.shape[1])]
    if truncate:  # plot.py: every sample cut to the smallest IN / OUT count
        i = min(map(len, dat_in)); o = min(map(len, dat_out))
        dat_in = [x[:i] for x in dat_in]; dat_out = [x[:o] for x in dat_out]
    c = np.median if center == 'median' else np.mean
    mi = np.array([c(x, 0) for x in dat_in]); mo = np.array([c(x, 0) for x in dat_out])
    si = np.array([np.std(x, 0) for x in dat_in]); so = np.array([np.std(x, 0) for x in dat_out])
    gi = np.std(np.concatenate(dat_in)); go = np.std(np.concatenate(dat_out))
    return mi, mo, si, so, gi, go


def online(keep, scores, t, center='median', truncate=True, fixed=False, out_std='in'):
    mi, mo, si, so, gi, go = fits(keep, scores, center, truncate)
    if fixed:
        si = gi; so = gi if out_std == 'in' else go  # plot.py: std_out = np.std(dat_in)
    pr_in = -scipy.stats.norm.logpdf(t, mi, si + 1e-30)
    pr_out = -scipy.stats.norm.logpdf(t, mo, so + 1e-30)
    return -(pr_in - pr_out).mean(1)  # higher = member


def offline(keep, scores, t, center='median', truncate=True, fixed=False, sided='two'):
    _, mo, _, so, _, go = fits(keep, scores, center, truncate)
    if fixed:
        so = go
    if sided == 'two':  # plot.py ranks by −log N(t; μ_out, σ_out), i.e. distance from the OUT mean
        return -(-scipy.stats.norm.logpdf(t, mo, so + 1e-30)).mean(1)
    return scipy.stats.norm.logcdf((t - mo) / (so + 1e-30)).mean(1)  # paper / mia-audit: one-sided


def metrics(score, member):
    fpr, tpr, _ = roc_curve(member, score)
    at = lambda f: tpr[np.searchsorted(fpr, f, side='right') - 1]
    return roc_auc_score(member, score), at(0.01), at(0.001)


VARIANTS = [
    ('online, fixed variance', online, [
        ('reference code (median, truncated, σ_out = std(IN))', dict(fixed=True)),
        ('+ σ_out = std(OUT)', dict(fixed=True, out_std='out')),
        ('+ every reference (no truncation)', dict(fixed=True, out_std='out', truncate=False)),
        ('+ mean (= mia-audit lira-online-fixed-variance)', dict(fixed=True, out_std='out', truncate=False, center='mean')),
    ]),
    ('offline, fixed variance', offline, [
        ('reference code (two-sided, median, truncated)', dict(fixed=True)),
        ('+ one-sided', dict(fixed=True, sided='one')),
        ('+ every reference (no truncation)', dict(fixed=True, sided='one', truncate=False)),
        ('+ mean (= mia-audit lira-offline-fixed-variance)', dict(fixed=True, sided='one', truncate=False, center='mean')),
    ]),
]


def main(run):
    keep, scores = load(run)
    m = keep.shape[0]
    print(f'{run}: {m} models, {keep.shape[1]} samples, {scores.shape[2]} queries; each model the target once, the other {m - 1} its references')
    for title, fn, steps in VARIANTS:
        print(f'\n{title}')
        print(f'  {"variant":56s}   AUC   TPR@1%  TPR@0.1%')
        for name, kw in steps:
            rows = []
            for t in range(m):
                refs = [i for i in range(m) if i != t]
                rows.append(metrics(fn(keep[refs], scores[refs], scores[t], **kw), keep[t]))
            a, t1, t01 = np.mean(rows, 0)
            print(f'  {name:56s} {a:.4f}  {100 * t1:5.2f}%  {100 * t01:5.2f}%')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'mia-demo/quickstart')
