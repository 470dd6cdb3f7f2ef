/**
 * Every `mia` command, as main.ts lists it: its --help is the text generated from its declaration, names
 * every declared flag, and an undeclared flag is a one-line E_USAGE (exit 2) pointing at that help.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CliCommand } from '../../src/cli/command.js';
import { isMiaError } from '../../src/errors.js';
import { runMia } from './run-mia.js';

/** The command names of `mia --help`, in its order. */
function listedCommands(): string[] {
  const help = runMia(['--help']);
  assert.equal(help.code, 0, help.stderr);
  const section = help.stdout.split('commands:\n')[1]?.split('\n\n')[0];
  assert.ok(section !== undefined, help.stdout);
  return section.split('\n').map((line) => line.trim().split(/\s+/)[0]!);
}

/** The command a src/cli/<name>.ts file exports. */
async function commandOf(name: string): Promise<CliCommand> {
  const mod = (await import(`../../src/cli/${name}.js`)) as Record<string, unknown>;
  const found = Object.values(mod).find(
    (v): v is CliCommand => typeof v === 'object' && v !== null && (v as CliCommand).name === name,
  );
  assert.ok(found !== undefined, `src/cli/${name}.ts exports no command named ${name}`);
  return found;
}

const names = listedCommands();

test('mia --help lists every command with the summary its declaration gives', async () => {
  assert.deepEqual(names, [
    'demo',
    'audit',
    'attack',
    'train',
    'infer',
    'score',
    'evaluate',
    'report',
    'gate',
    'plan',
    'dp',
    'serve',
    'token',
    'submit',
    'runs',
    'status',
    'cancel',
    'logs',
    'fetch',
    'worker',
  ]);
  const help = runMia(['--help']).stdout;
  for (const name of names) {
    const c = await commandOf(name);
    assert.match(help, new RegExp(`^  ${name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  }
});

for (const name of names) {
  test(`mia ${name} --help is the generated usage and names every declared flag`, async () => {
    const c = await commandOf(name);
    const r = runMia([name, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${c.usage()}\n`);
    assert.match(r.stdout, new RegExp(`^usage: mia ${name}\\b`));
    const flags = Object.keys(c.spec.flags);
    assert.ok(flags.length > 0, `${name} declares no flag`);
    for (const flag of flags) {
      assert.match(
        r.stdout,
        new RegExp(`^  (?:-\\w, )?--${flag}(?= |$)`, 'm'),
        `--${flag} is not in mia ${name} --help`,
      );
    }
    // -h is the same, anywhere in the arguments
    assert.equal(runMia([name, 'x', '-h']).stdout, r.stdout);
  });

  test(`mia ${name} with an undeclared flag: one line, E_USAGE, exit 2, nothing run`, async () => {
    const c = await commandOf(name);
    const r = runMia([name, '--no-such-flag', '1']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      new RegExp(
        `^error \\[E_USAGE\\] mia ${name}: Unknown option '--no-such-flag'.*; see \`mia ${name} --help\`\\n$`,
      ),
    );
    // the same error in-process, before anything runs
    await assert.rejects(
      c.run(['--no-such-flag']),
      (e: unknown) => isMiaError(e) && e.code === 'E_USAGE' && !e.oneLine().includes('\n'),
    );
  });
}
