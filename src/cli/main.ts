import { isMiaError } from '../errors.js';
import type { CliCommand } from './command.js';
import { installInterruptHandler } from './interrupt.js';

/** Every sub-command, loaded lazily so that `mia attack` does not pay for the training engine. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {};

function register(name: string, summary: string, load: () => Promise<CliCommand>): void {
  COMMANDS[name] = { summary, load };
}

register(
  'demo',
  'run the quickstart audit (small CNN on Fashion-MNIST, RMIA + LiRA + report) — start here',
  async () => (await import('./demo.js')).demoCommand,
);
register(
  'audit',
  'run a privacy audit from a YAML config: train reference models, attack, report',
  async () => (await import('./audit.js')).auditCommand,
);
register(
  'attack',
  'run membership inference attacks on exported model outputs (.npz/.csv/.json) or reference signals',
  async () => (await import('./attack.js')).attackCommand,
);
register(
  'train',
  'train a model on a dataset and save it',
  async () => (await import('./train.js')).trainCommand,
);
register(
  'infer',
  "write a model's outputs on members and non-members (.npz for mia attack)",
  async () => (await import('./infer.js')).inferCommand,
);
register(
  'score',
  'membership scores (id,score CSV) for a private set: shadow models + meta-classifier, …',
  async () => (await import('./score.js')).scoreCommand,
);
register(
  'evaluate',
  'score membership predictions (id,score CSV) against the truth (id,member CSV)',
  async () => (await import('./evaluate.js')).evaluateCommand,
);
register(
  'report',
  'regenerate the HTML report and charts of an audit run directory',
  async () => (await import('./report.js')).reportCommand,
);

function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
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
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainUsage());
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
  const entry = COMMANDS[name];
  if (entry === undefined) {
    console.error(`error [E_USAGE] unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  // Ctrl-C during a run that resumes: one line naming the run directory, exit 130.
  if (name === 'audit' || name === 'demo') installInterruptHandler();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
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
);
