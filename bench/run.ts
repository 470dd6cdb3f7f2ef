/**
 * `npm run bench [-- NAME… [-- ARGS…]]`: runs the benchmarks (bench/README.md), one after the other, each
 * in its own Node process so that one's memory does not count in another's. With no names it runs them
 * all (≈ 15 minutes on 2 cores); `--list` prints them. Arguments after a second `--` go to every
 * benchmark named, e.g. `npm run bench -- roc -- --n 1000000`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Every benchmark: its file in bench/ and what it measures against which baseline. */
export const BENCHMARKS: Record<string, string> = {
  roc: 'ROC + AUC + TPR@FPR on 10M scores vs scikit-learn (issue 3: ≥ 2×)',
  'attack-suite': 'the default mia attack suite on 100k + 100k samples; threshold attacks < 2 s (issue 3)',
  classifiers: 'the trained attacks (lr, mlp, rf, knn) vs scikit-learn',
  'train-speed': 'training samples/s vs PyTorch (issue 4: small_cnn and dense ≥ 0.5×)',
  'infer-speed': 'batched inference vs PyTorch (issue 4: ≥ 1.0×)',
  accuracy: 'Fashion-MNIST small_cnn test accuracy vs PyTorch (issue 4: within 1.5 points)',
  rmia: 'RMIA scoring, N = 50k × Z = 10k vs pairwise numpy (issue 5: ≥ 1000×)',
  lira: 'LiRA scoring, 256 models × 60k samples vs numpy (issue 5: ≥ 10×)',
  evaluate: 'mia evaluate on 1M scores vs Python csv + sklearn (issue 5: a few seconds at most)',
  audit: 'the quickstart audit end to end: time per stage, peak memory, vs PyTorch for the models',
  'service-load':
    'mia serve --workers 2 under 100 concurrent small audits: 0 lost or duplicated, p50/p99 API latency idle vs loaded (issue 12)',
  dp: 'DP-SGD step vs the plain step (issue 14: ≤ 2×) and vs PyTorch 1.13 vmap(grad) per-sample gradients (≥ 1×)',
  'dp-accountant':
    'ε of 10⁵ DP-SGD steps, RDP and PRV accountants, vs the scipy Opacus transcription (issue 14: < 50 ms)',
  'service-scale':
    'an audit of 8 models (target + 7 references) on mia serve --redis with 1 and 2 mia workers of 1 thread (issue 12: ≤ 0.6)',
};

function main(argv: string[]): number {
  const split = argv.indexOf('--');
  const names = split < 0 ? argv : argv.slice(0, split);
  const passThrough = split < 0 ? [] : argv.slice(split + 1);
  if (names.includes('--list') || names.includes('--help')) {
    for (const [name, what] of Object.entries(BENCHMARKS)) console.log(`${name.padEnd(14)} ${what}`);
    return 0;
  }
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(
      `error [E_USAGE] npm run bench: unknown benchmark '${unknown[0]}' (expected one of ${Object.keys(BENCHMARKS).join(', ')})`,
    );
    return 2;
  }
  const chosen = names.length > 0 ? names : Object.keys(BENCHMARKS);
  let failed = 0;
  for (const name of chosen) {
    console.log(`\n=== bench/${name}.ts — ${BENCHMARKS[name]}`);
    const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...passThrough], { stdio: 'inherit' });
    if (r.status !== 0) {
      failed++;
      console.log(`=== bench/${name}.ts exited with ${r.status ?? r.signal}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
