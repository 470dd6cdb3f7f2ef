/** `mia dp epsilon` and `mia dp noise` as a user runs them, against the scipy fixtures of test/models/dp. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runMia } from './run-mia.js';

interface RdpFixture {
  orders: number[];
  cases: {
    q: number;
    sigma: number;
    steps: number;
    delta: number;
    rdp: number[];
    epsilon: number;
    order: number;
  }[];
  calibrate: { target_epsilon: number; q: number; steps: number; delta: number; sigma: number }[];
}
interface PrvCase {
  q: number;
  sigma: number;
  steps: number;
  delta: number;
  remove: [number, number];
  add: [number, number];
}
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../models/dp/fixtures/${name}`, import.meta.url), 'utf8')) as unknown;
const rdpFx = fixture('rdp.json') as RdpFixture;
const prvFx = fixture('prv.json') as PrvCase[];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test("mia dp epsilon --json: Opacus's ε, order and RDP curve at every order (1e-6 relative)", () => {
  for (const c of rdpFx.cases.slice(0, 3)) {
    const args = ['dp', 'epsilon', '--sample-rate', String(c.q), '--noise-multiplier', String(c.sigma)];
    const r = runMia([...args, '--steps', String(c.steps), '--delta', String(c.delta), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      accountant: string;
      epsilon: number;
      delta: number;
      order: number;
      orders: number[];
      rdp: number[];
    };
    assert.deepEqual(Object.keys(out), ['accountant', 'epsilon', 'delta', 'order', 'orders', 'rdp']);
    assert.equal(out.accountant, 'rdp');
    assert.equal(out.delta, c.delta);
    assert.ok(rel(out.epsilon, c.epsilon) < 1e-6, `${out.epsilon} vs ${c.epsilon}`);
    assert.equal(out.order, c.order);
    assert.deepEqual(out.orders, rdpFx.orders);
    for (let k = 0; k < c.rdp.length; k++)
      assert.ok(rel(out.rdp[k]!, c.rdp[k]!) < 1e-6, `order ${out.orders[k]}`);
  }
});

test('mia dp epsilon prints one line with ε; --accountant prv is at most RDP and within its stated bracket', () => {
  const c = rdpFx.cases[0]!;
  const base = ['dp', 'epsilon', '--sample-rate', String(c.q), '--noise-multiplier', String(c.sigma)];
  const tail = ['--steps', String(c.steps), '--delta', String(c.delta)];
  const text = runMia([...base, ...tail]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^ε = 1\.71177\d* at δ = 0\.00001 \(rdp, order 9\.6\)\n$/);
  const p = prvFx[0]!;
  assert.deepEqual([p.q, p.sigma, p.steps, p.delta], [c.q, c.sigma, c.steps, c.delta]);
  const prv = runMia([...base, ...tail, '--accountant', 'prv', '--json']);
  assert.equal(prv.code, 0, prv.stderr);
  const out = JSON.parse(prv.stdout) as { accountant: string; epsilon: number; order: null; rdp: null };
  assert.equal(out.accountant, 'prv');
  assert.equal(out.order, null);
  assert.equal(out.rdp, null);
  // the fixture's exact-discretisation bracket of the remove direction (the larger one), and below RDP
  assert.ok(out.epsilon >= p.remove[0] - 1e-3 && out.epsilon <= p.remove[1] + 0.03, String(out.epsilon));
  assert.ok(out.epsilon < c.epsilon);
});

test("mia dp noise: Opacus's get_noise_multiplier σ for the target ε", () => {
  for (const c of rdpFx.calibrate.slice(1)) {
    const r = runMia([
      'dp',
      'noise',
      '--target-epsilon',
      String(c.target_epsilon),
      '--sample-rate',
      String(c.q),
      '--steps',
      String(c.steps),
      '--delta',
      String(c.delta),
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { noiseMultiplier: number; epsilon: number; targetEpsilon: number };
    assert.ok(rel(out.noiseMultiplier, c.sigma) < 1e-9, `${out.noiseMultiplier} vs ${c.sigma}`);
    assert.ok(out.epsilon <= c.target_epsilon && out.epsilon >= c.target_epsilon - 0.01);
  }
  const text = runMia(['dp', 'noise', '--target-epsilon', '1', '--sample-rate', '0.01', '--steps', '1000']);
  assert.equal(text.code, 2);
  assert.match(text.stderr, /^error \[E_USAGE\] mia dp: --delta is required/);
});

test('mia dp: a bad value or a wrong combination is one line naming the flag, exit 2', () => {
  const ok = ['--sample-rate', '0.01', '--steps', '100', '--delta', '1e-5'];
  const cases: [string[], RegExp][] = [
    [['dp', 'epsilon', ...ok], /--noise-multiplier \(or --target-epsilon\) is required/],
    [
      ['dp', 'epsilon', '--noise-multiplier', '1', '--sample-rate', '1.5', '--steps', '1', '--delta', '1e-5'],
      /--sample-rate must be a number in \[0, 1\] \(found 1\.5\)/,
    ],
    [
      ['dp', 'epsilon', '--noise-multiplier', '-1', ...ok],
      /--noise-multiplier must be a number ≥ 0 \(found -1\)/,
    ],
    [
      [
        'dp',
        'epsilon',
        '--noise-multiplier',
        '1',
        '--sample-rate',
        '0.1',
        '--steps',
        '2.5',
        '--delta',
        '1e-5',
      ],
      /--steps must be an integer ≥ 0 \(found 2\.5\)/,
    ],
    [
      ['dp', 'epsilon', '--noise-multiplier', '1', '--sample-rate', '0.1', '--steps', '2', '--delta', '1'],
      /--delta must be a number in \(0, 1\) \(found 1\)/,
    ],
    [
      ['dp', 'epsilon', '--noise-multiplier', '1', '--accountant', 'pld', ...ok],
      /--accountant must be one of rdp, prv \(found pld\)/,
    ],
    [
      ['dp', 'epsilon', '--target-epsilon', '1', ...ok],
      /mia dp epsilon: mia dp epsilon takes --noise-multiplier/,
    ],
    [['dp', 'noise', '--noise-multiplier', '1', ...ok], /mia dp noise: mia dp noise takes --target-epsilon/],
    [
      ['dp', 'sigma', '--noise-multiplier', '1', ...ok],
      /the action must be one of epsilon, noise; .*found sigma/,
    ],
    [['dp', 'noise', '--target-epsilon', '1e-9', ...ok], /mia dp noise: the privacy budget is too low/],
  ];
  for (const [args, re] of cases) {
    const r = runMia(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error \[E_USAGE|E_ARGUMENT\] /);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
});

test('mia dp epsilon with σ = 0 is unbounded (null in JSON, ∞ in text); 0 steps is ε = 0', () => {
  const args = [
    'dp',
    'epsilon',
    '--noise-multiplier',
    '0',
    '--sample-rate',
    '0.01',
    '--steps',
    '10',
    '--delta',
    '1e-5',
  ];
  const r = runMia([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { epsilon: null }).epsilon, null);
  assert.match(runMia(args).stdout, /^ε = ∞ \(unbounded\) at δ = 0\.00001 \(rdp\)\n$/);
  const zero = runMia([
    'dp',
    'epsilon',
    '--noise-multiplier',
    '1',
    '--sample-rate',
    '0.01',
    '--steps',
    '0',
    '--delta',
    '1e-5',
    '--json',
  ]);
  assert.equal((JSON.parse(zero.stdout) as { epsilon: number }).epsilon, 0);
});
