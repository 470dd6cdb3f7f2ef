// Benchmark: the DP-SGD accountant (issue 14: "ε for 10⁵ steps in < 50 ms"). For each mechanism (the
// Poisson-subsampled Gaussian at q, σ, T steps, δ), times ε by the RDP accountant at Opacus's 151 orders
// (src/models/dp/accountant.ts, as `mia dp epsilon` computes it) and by the PRV accountant, and side by
// side the scipy transcription of Opacus's RDP accountant (bench/py/dp_accountant_baseline.py, the
// script that wrote the test fixtures) on the same mechanisms in the same invocation. Prints the best
// and median of --repeats (PRV: at most 2, it takes seconds), the ratio to the 50 ms target and to the baseline, and the ε of each side.
//
// Run: node --import tsx bench/dp-accountant.ts [--repeats 5] [--no-python] [--no-prv]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { accountantEpsilon, type DpMechanism } from '../src/models/dp/accountant.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    'no-python': { type: 'boolean', default: false },
    'no-prv': { type: 'boolean', default: false },
  },
});
const repeats = Number(values.repeats);
const TARGET_MS = 50;

const MECHANISMS: DpMechanism[] = [
  { sampleRate: 0.02, noiseMultiplier: 5, steps: 100_000, delta: 1e-5 },
  { sampleRate: 256 / 60_000, noiseMultiplier: 1, steps: 100_000, delta: 1e-5 },
  { sampleRate: 0.004, noiseMultiplier: 0.7, steps: 100_000, delta: 1e-5 },
];

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { best: s[0]!, median: s[Math.floor(s.length / 2)]! };
};
const fmt = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

function time(accountant: 'rdp' | 'prv', m: DpMechanism, times = repeats): { ms: number[]; epsilon: number } {
  const ms: number[] = [];
  let epsilon = Number.NaN;
  for (let r = 0; r < times; r++) {
    const t0 = performance.now();
    epsilon = accountantEpsilon(accountant, m).epsilon;
    ms.push(performance.now() - t0);
  }
  return { ms, epsilon };
}

interface PySide {
  epsilon: number;
  order: number;
  seconds: number[];
}
let py: PySide[] | undefined;
if (!values['no-python']) {
  try {
    const script = fileURLToPath(new URL('./py/dp_accountant_baseline.py', import.meta.url));
    const specs = MECHANISMS.map((m) => `${m.sampleRate},${m.noiseMultiplier},${m.steps},${m.delta}`);
    py = JSON.parse(
      execFileSync('/usr/bin/python3', [script, String(repeats), ...specs], { encoding: 'utf8' }),
    ) as PySide[];
  } catch (e) {
    console.log(`(no Python baseline: ${(e as Error).message.split('\n')[0]})`);
  }
}

console.log(`ε of T = 10⁵ steps, best / median of ${repeats} (target < ${TARGET_MS} ms)`);
for (let i = 0; i < MECHANISMS.length; i++) {
  const m = MECHANISMS[i]!;
  const head = `q = ${m.sampleRate.toPrecision(3)}, σ = ${m.noiseMultiplier}, T = ${m.steps}, δ = ${m.delta}`;
  console.log(`\n${head}`);
  const rdp = time('rdp', m);
  const r = stats(rdp.ms);
  console.log(
    `  rdp (ours)       ${fmt(r.best)} / ${fmt(r.median)} ms  ε = ${rdp.epsilon.toFixed(6)}  ` +
      `${(TARGET_MS / r.best).toFixed(0)}× under the target`,
  );
  const p = py?.[i];
  if (p !== undefined) {
    const b = stats(p.seconds.map((s) => s * 1000));
    console.log(
      `  rdp (scipy)      ${fmt(b.best)} / ${fmt(b.median)} ms  ε = ${p.epsilon.toFixed(6)}  ` +
        `ours ${(b.best / r.best).toFixed(1)}× faster; |Δε| = ${Math.abs(p.epsilon - rdp.epsilon).toExponential(1)}`,
    );
  }
  if (!values['no-prv']) {
    const prv = time('prv', m, Math.min(repeats, 2)); // seconds per call: 2 at most
    const s = stats(prv.ms);
    console.log(
      `  prv (ours)       ${fmt(s.best)} / ${fmt(s.median)} ms  ε = ${prv.epsilon.toFixed(6)}  ` +
        `${s.best < TARGET_MS ? `${(TARGET_MS / s.best).toFixed(1)}× under` : `${(s.best / TARGET_MS).toFixed(1)}× over`} the target`,
    );
  }
}
