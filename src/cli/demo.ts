import { join, resolve } from 'node:path';
import { npyArray } from '../io/npy.js';
import { writeNpz } from '../io/npz.js';
import { syntheticAttackInput } from '../signals/synthetic-outputs.js';
import { attackCommand } from './attack.js';
import { type CliCommand, parseCommandArgs } from './command.js';

const USAGE = `usage: mia demo [--out DIR]

Runs \`mia attack\` on a small built-in example: the logits of a simulated over-fitted 10-class model on
2,000 members and 2,000 non-members. Writes DIR/demo-outputs.npz (the input, in TF Privacy's key names),
DIR/results.json and DIR/results.csv. DIR defaults to ./mia-demo.`;

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run the attacks on a built-in example and write the results',
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandArgs('demo', argv, { out: { type: 'string' } });
    const dir = resolve(values.out ?? 'mia-demo');
    console.log(
      'mia demo: attacking the built-in example (a simulated over-fitted model on 2,000 members and 2,000 non-members).',
    );
    const input = syntheticAttackInput({ nMembers: 2000, nNonMembers: 2000, numClasses: 10, seed: 1 });
    const path = join(dir, 'demo-outputs.npz');
    const f32 = (a: Float64Array) => Float32Array.from(a);
    writeNpz(path, {
      logits_train: npyArray(f32(input.members.logits!), [input.members.n, 10]),
      logits_test: npyArray(f32(input.nonMembers.logits!), [input.nonMembers.n, 10]),
      labels_train: npyArray(input.members.labels, [input.members.n]),
      labels_test: npyArray(input.nonMembers.labels, [input.nonMembers.n]),
    });
    console.log(`wrote ${path}; running: mia attack --input ${path}\n`);
    return attackCommand.run([
      '--input',
      path,
      '--json',
      join(dir, 'results.json'),
      '--csv',
      join(dir, 'results.csv'),
      '--top',
      '12',
    ]);
  },
};
