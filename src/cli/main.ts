import { isMiaError } from '../errors.js';
import { installClosedStdoutGuard } from './closed-stdout.js';
import type { CliCommand } from './command.js';
import { afterPendingSignals, installInterruptHandler } from './interrupt.js';

/**
 * Every sub-command by name, in the order `mia --help` lists them. Each is loaded only when used (its
 * declaration is light; the stages it calls are imported when it runs), so `mia attack` does not pay for
 * the training engine.
 */
const COMMANDS: readonly (readonly [string, () => Promise<CliCommand>])[] = [
  ['demo', async () => (await import('./demo.js')).demoCommand],
  ['audit', async () => (await import('./audit.js')).auditCommand],
  ['attack', async () => (await import('./attack.js')).attackCommand],
  ['train', async () => (await import('./train.js')).trainCommand],
  ['infer', async () => (await import('./infer.js')).inferCommand],
  ['score', async () => (await import('./score.js')).scoreCommand],
  ['evaluate', async () => (await import('./evaluate.js')).evaluateCommand],
  ['report', async () => (await import('./report.js')).reportCommand],
  ['gate', async () => (await import('./gate.js')).gateCommand],
  ['plan', async () => (await import('./plan.js')).planCommand],
  ['dp', async () => (await import('./dp.js')).dpCommand],
  ['serve', async () => (await import('./serve.js')).serveCommand],
  ['token', async () => (await import('./token.js')).tokenCommand],
  ['submit', async () => (await import('./submit.js')).submitCommand],
  ['runs', async () => (await import('./runs.js')).runsCommand],
  ['status', async () => (await import('./status.js')).statusCommand],
  ['cancel', async () => (await import('./cancel.js')).cancelCommand],
  ['logs', async () => (await import('./logs.js')).logsCommand],
  ['fetch', async () => (await import('./fetch.js')).fetchCommand],
  ['worker', async () => (await import('./worker.js')).workerCommand],
];

/** `mia --help`: every command with its summary (from its declaration). */
async function mainUsage(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map(([, load]) => load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: mia <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'mia <command> --help for its options',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  // a reader that closes stdout early (`| head`) stops the output, not the work
  installClosedStdoutGuard();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await mainUsage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    console.log(pkg.version);
    return 0;
  }
  const load = COMMANDS.find(([n]) => n === name)?.[1];
  if (load === undefined) {
    console.error(
      `error [E_USAGE] unknown command '${name}'; commands: ${COMMANDS.map(([n]) => n).join(', ')}`,
    );
    return 2;
  }
  const command = await load();
  // Ctrl-C during a run that resumes: one line naming the run directory, exit 130.
  if (command.resumable) installInterruptHandler();
  // with --help anywhere, the command prints its generated usage instead of running
  return command.run(rest);
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (isMiaError(e)) {
        console.error(`error ${e.oneLine()}`);
        process.exitCode = 2;
      } else {
        console.error(e);
        process.exitCode = 1;
      }
    },
  )
  .then(afterPendingSignals);
