/**
 * A synthetic run directory (docs/run-dir.md) for the report tests: real attack results and scores on
 * the simulated over-fitted classifier of src/signals/synthetic-outputs.ts, plus a made-up training
 * history, privacy-by-epoch collection, sample images, environment, timing and config.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOutputAttacks } from '../../src/audit/run-attacks.js';
import type { NpyArray } from '../../src/io/npy.js';
import { npyArray } from '../../src/io/npy.js';
import { writeNpz } from '../../src/io/npz.js';
import { mergeCollections, pointsFromResults, saveCollection } from '../../src/report/collection.js';
import type { ReportResult } from '../../src/report/run-dir.js';
import { Rng } from '../../src/rng.js';
import { syntheticAttackInput } from '../../src/signals/synthetic-outputs.js';

export interface FixtureOptions {
  /** Two experiments with two target models each (keys `<experiment>/<model>/…`); default one target. */
  multi?: boolean;
  n?: number;
  attacks?: string[];
  /** Which optional files to write (default all). */
  history?: boolean;
  privacy?: boolean;
  samples?: boolean;
  scores?: boolean;
}

interface TargetDef {
  experiment?: string;
  model?: string;
  gap: number;
  seed: number;
}

const CLASS_NAMES = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export function makeRunDir(dir: string, options: FixtureOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const n = options.n ?? 600;
  const attacks = options.attacks ?? ['threshold', 'threshold-entropy', 'lr'];
  const targets: TargetDef[] = options.multi
    ? [
        { experiment: 'architecture', model: 'conv', gap: 1.6, seed: 1 },
        { experiment: 'architecture', model: 'dense', gap: 0.8, seed: 2 },
        { experiment: 'depth', model: 'dense-7', gap: 1.2, seed: 3 },
        { experiment: 'depth', model: 'dense-4', gap: 0.6, seed: 4 },
      ]
    : [{ gap: 1.2, seed: 1 }];
  const results: unknown[] = [];
  const scores: Record<string, NpyArray> = {};
  for (const t of targets) {
    const input = syntheticAttackInput({
      nMembers: n,
      nNonMembers: n,
      numClasses: 10,
      seed: t.seed,
      gap: t.gap,
    });
    const out = runOutputAttacks(input, { attacks, slices: ['entire', 'class', 'correctness'], seed: 0 });
    for (const r of out.results) {
      const row: Record<string, unknown> = { ...r };
      if (t.experiment !== undefined) row.experiment = t.experiment;
      if (t.model !== undefined) row.model = t.model;
      results.push(row);
    }
    const prefix = t.model === undefined ? '' : `${t.experiment}/${t.model}/`;
    for (const s of out.scores) {
      const v = Float64Array.from(s.scores);
      if (s.evaluated !== undefined)
        for (let i = 0; i < v.length; i++) if (!s.evaluated[i]) v[i] = Number.NaN;
      scores[`${prefix}${s.attack}`] = npyArray(v, [v.length]);
    }
    scores[`${prefix}is_member`] = npyArray(out.pooled.isMember, [out.pooled.n], 'bool');
    scores[`${prefix}labels`] = npyArray(out.pooled.labels, [out.pooled.n]);
  }
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ results }, null, 1));
  if (options.scores ?? true) writeNpz(join(dir, 'scores.npz'), scores);
  if (options.history ?? true) {
    const models = targets.map((t, i) => ({
      id: t.model ?? 'target',
      label: t.model ?? 'target (small_cnn)',
      role: 'target',
      epochs: Array.from({ length: 12 }, (_, e) => {
        const k = (e + 1) / 12;
        return {
          epoch: e + 1,
          trainLoss: 2.2 * Math.exp(-3 * k * (1 + 0.2 * i)) + 0.05,
          trainAccuracy: 0.3 + 0.65 * (1 - Math.exp(-3 * k)) - 0.03 * i,
          valLoss: 2.2 * Math.exp(-2 * k) + 0.5 * k * k + 0.3,
          valAccuracy: 0.3 + 0.42 * (1 - Math.exp(-3 * k)) - 0.02 * i,
          seconds: 1.5,
        };
      }),
    }));
    models.push({
      id: 'ref-0',
      label: 'reference 0',
      role: 'reference',
      epochs: models[0]!.epochs.map((e) => ({ ...e, trainAccuracy: e.trainAccuracy - 0.01 })),
    });
    writeFileSync(join(dir, 'history.json'), JSON.stringify({ models }));
  }
  if (options.privacy ?? true) {
    const collections = targets.slice(0, 2).map((t) => {
      const points = [];
      for (const epoch of [2, 4, 6, 8, 10, 12]) {
        const input = syntheticAttackInput({
          nMembers: 200,
          nNonMembers: 200,
          numClasses: 10,
          seed: 100 + epoch,
          gap: (t.gap * epoch) / 12,
        });
        const out = runOutputAttacks(input, {
          attacks: ['threshold', 'threshold-entropy'],
          slices: ['entire'],
          seed: 0,
        });
        const meta = {
          model: t.model ?? 'target',
          epoch,
          trainAccuracy: 0.3 + 0.05 * epoch,
          valAccuracy: 0.3 + 0.03 * epoch - 0.001 * epoch * epoch,
        };
        points.push(
          ...pointsFromResults(
            out.results,
            t.experiment === undefined ? meta : { ...meta, experiment: t.experiment },
          ),
        );
      }
      return { points };
    });
    saveCollection(join(dir, 'privacy-by-epoch.json'), mergeCollections(...collections));
  }
  if (options.samples ?? true) {
    const k = 16;
    const h = 32;
    const w = 32;
    const rng = new Rng(7);
    const x = new Float32Array(k * h * w * 3);
    const y = new Int32Array(k);
    for (let i = 0; i < k; i++) {
      y[i] = i % 10;
      const hue = [rng.next(), rng.next(), rng.next()];
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          const ring = Math.hypot(r - h / 2, c - w / 2) < 6 + (i % 5) * 2 ? 1 : 0.35;
          for (let ch = 0; ch < 3; ch++)
            x[((i * h + r) * w + c) * 3 + ch] = Math.min(1, hue[ch]! * ring + 0.1 * rng.next());
        }
      }
    }
    writeNpz(join(dir, 'samples.npz'), { x: npyArray(x, [k, h, w, 3]), y: npyArray(y, [k]) });
  }
  writeFileSync(
    join(dir, 'environment.json'),
    JSON.stringify({
      backend: 'wasm',
      engine: 'tfjs 4.22.0',
      node: process.version,
      miaAudit: '0.1.0',
      dataset: {
        name: 'synthetic',
        source: 'embedded synthetic dataset (test fixture)',
        classNames: CLASS_NAMES,
      },
      platform: 'linux-x64',
      cpus: 2,
    }),
  );
  writeFileSync(
    join(dir, 'timing.json'),
    JSON.stringify({
      stages: [
        { stage: 'load dataset', seconds: 0.42, reused: false },
        { stage: 'train models', seconds: 63.1, reused: true },
        { stage: 'attacks', seconds: 4.2, reused: false },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'config.yaml'),
    'dataset: synthetic\nmodel: small_cnn\nepochs: 12\nattacks: [threshold, lr] # <script>alert(1)</script>\n',
  );
}

/**
 * A result on the entire dataset of 1000 members and 1000 non-members with AUC `auc` (advantage
 * (auc − 0.5)·0.8) and the TPRs `tprAtFpr`; `extra` replaces or adds fields.
 */
export function reportResult(
  attack: string,
  auc: number,
  tprAtFpr: ReportResult['tprAtFpr'],
  extra: Partial<ReportResult> = {},
): ReportResult {
  return {
    attack,
    signal: 'loss',
    slice: { feature: 'entire_dataset' },
    nMembers: 1000,
    nNonMembers: 1000,
    auc,
    advantage: (auc - 0.5) * 0.8,
    aucInterval: { low: Math.max(0, auc - 0.05), high: Math.min(1, auc + 0.05), se: 0.025, method: 'DeLong' },
    ppvMaxOverThresholds: 0.6,
    tprAtFpr,
    epsilonLowerBound: 0.8,
    epsilon: { estimate: 1, low: 0.8, high: 1.2, thresholdsTried: 1999 },
    ...extra,
  };
}
