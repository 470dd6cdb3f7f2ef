/**
 * Every shell block of README.md and docs/*.md (```sh, ```bash, ```shell, ```console), run as written:
 * each page's blocks in order in a fresh copy of the repository (tracked files, node_modules linked),
 * each block bounded in time, the pages in parallel. A block that cannot run here says so, visibly, in
 * an HTML comment on the line(s) above it, which this test reads:
 *
 *   <!-- not-run: needs network (CIFAR-10) -->        never run; its commands must still exist
 *   <!-- run-env: MIA_SET='target.epochs=2' -->       exported before the block (runs it smaller; the page
 *                                                     shows the real command)
 *   <!-- run-setup: node --import tsx scripts/example-inputs.ts run -->   run before the block (its inputs)
 *   <!-- run-timeout: 300 -->                         seconds (default 180)
 *
 * Every block — run or not — must name only commands that exist: `mia <command>` and each of its
 * --flags (as `mia <command> --help` lists them), `npm run <script>`, files given to node / bash. A
 * failure names the page, the line and the command.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot as root } from './installed-package.js';

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console']);
const DEFAULT_TIMEOUT_S = 180;

interface Block {
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  /** The commands, one per entry (continuation lines joined, comments and console output dropped). */
  commands: string[];
  notRun?: string;
  env?: string;
  setup?: string;
  timeoutS: number;
}

const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

/** The annotations above line `i` (0-based index of the fence): the HTML comments directly above it. */
function annotationsAbove(lines: readonly string[], i: number): Map<string, string> {
  const out = new Map<string, string>();
  for (let j = i - 1; j >= 0; j--) {
    const l = lines[j]!.trim();
    if (l === '') continue;
    const m = /^<!--\s*([a-z-]+):\s*(.*?)\s*-->$/.exec(l);
    if (m === null) break;
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Drops a trailing `# comment` (outside quotes). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i).trimEnd();
  }
  return line;
}

function commandsOf(text: string, lang: string): string[] {
  const out: string[] = [];
  let cur: string | undefined; // a command continued on the next line (trailing backslash)
  for (const raw of text.split('\n')) {
    let l: string;
    if (cur !== undefined) l = raw;
    else if (lang !== 'console') l = raw;
    else if (raw.startsWith('$ ')) l = raw.slice(2);
    else continue; // console output
    const s = stripComment(l);
    if (s.endsWith('\\')) {
      cur = `${cur ?? ''}${s.slice(0, -1)} `;
      continue;
    }
    const c = `${cur ?? ''}${s}`.trim().replace(/\s+/g, ' ');
    cur = undefined;
    if (c !== '') out.push(c);
  }
  return out;
}

function blocksOf(doc: string): Block[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i]!);
    if (open === null) {
      if (lines[i]!.startsWith('```')) {
        // another fence (no language): skip to its end
        while (++i < lines.length && !lines[i]!.startsWith('```'));
      }
      continue;
    }
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i]!);
    const lang = open[1]!;
    if (!SHELL_LANGS.has(lang)) continue;
    const notes = annotationsAbove(lines, start);
    const text = body.join('\n');
    const b: Block = {
      doc,
      line: start + 1,
      lang,
      text,
      commands: commandsOf(text, lang),
      timeoutS: Number(notes.get('run-timeout') ?? DEFAULT_TIMEOUT_S),
    };
    if (notes.has('not-run')) b.notRun = notes.get('not-run')!;
    if (notes.has('run-env')) b.env = notes.get('run-env')!;
    if (notes.has('run-setup')) b.setup = notes.get('run-setup')!;
    out.push(b);
  }
  return out;
}

const blocks = docs.flatMap(blocksOf);
const where = (b: Block, command = b.commands[0] ?? b.text.trim()) => `${b.doc}:${b.line}: \`${command}\``;

/** Words of a shell command, quotes removed (no expansion). */
function words(segment: string): string[] {
  return [...segment.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

const helpCache = new Map<string, string | undefined>();
function miaHelp(command: string): string | undefined {
  if (!helpCache.has(command)) {
    const r = spawnSync(process.execPath, [join(root, 'bin/mia.js'), command, '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    helpCache.set(command, r.status === 0 ? r.stdout : undefined);
  }
  return helpCache.get(command);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const BUILTINS = new Set(['export', 'cd', 'set', 'echo', 'cat', 'ls', 'true', 'wait', 'kill', 'sleep', 'jq']);

/** Why `command` names something that does not exist, or undefined. */
function missing(command: string): string | undefined {
  for (const segment of command.split(/&&|\|\||[;|&]/)) {
    const w = words(segment.trim());
    while (w.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0]!)) w.shift();
    if (w.length === 0) continue;
    const [head, ...rest] = w;
    const mia = head === 'npx' && rest[0] === 'mia' ? rest.slice(1) : head === 'mia' ? rest : undefined;
    if (mia !== undefined) {
      const sub = mia[0];
      if (sub === undefined || sub.startsWith('-')) continue;
      const help = miaHelp(sub);
      if (help === undefined) return `mia has no command '${sub}'`;
      for (const flag of mia.filter((x) => /^--[a-z]/.test(x)).map((x) => x.split('=')[0]!)) {
        if (flag !== '--help' && !new RegExp(`(^|[\\s,\\[])${flag}(\\b|$)`, 'm').test(help))
          return `mia ${sub} has no flag ${flag} (mia ${sub} --help)`;
      }
    } else if (head === 'npm' && rest[0] === 'run') {
      if (rest[1] === undefined || !(rest[1] in pkg.scripts))
        return `package.json has no script '${rest[1]}'`;
    } else if ((head === 'node' || head === 'bash') && rest.length > 0) {
      const file = rest.find((x) => !x.startsWith('-') && x !== 'tsx');
      if (file !== undefined && !existsSync(join(root, file))) return `${head}: no file ${file}`;
    } else if (head === 'npx') {
      const bin = rest.find((x) => !x.startsWith('-'));
      if (bin !== undefined && !existsSync(join(root, 'node_modules/.bin', bin)))
        return `npx: ${bin} is not installed (node_modules/.bin)`;
    } else if (head !== 'npm' && !BUILTINS.has(head!)) {
      const found = spawnSync('bash', ['-c', `command -v ${JSON.stringify(head)}`]).status === 0;
      if (!found) return `no command '${head}' on PATH`;
    }
  }
  return undefined;
}

test('README.md and docs/*.md: every shell block is found, and each not-run block says why', () => {
  assert.ok(blocks.length >= 15, `${blocks.length} blocks`);
  assert.ok(docs.includes('docs/install.md'));
  for (const b of blocks) {
    if (b.notRun !== undefined)
      assert.notEqual(b.notRun, '', `${where(b)}: <!-- not-run: … --> needs a reason`);
    assert.ok(b.commands.length > 0, `${where(b)}: a shell block without a command`);
    assert.ok(Number.isFinite(b.timeoutS) && b.timeoutS > 0, `${where(b)}: run-timeout must be seconds`);
  }
});

test('every command the docs name exists: mia commands and their flags, npm scripts, files', () => {
  const problems: string[] = [];
  for (const b of blocks) {
    for (const c of b.commands) {
      const why = missing(c);
      if (why !== undefined) problems.push(`${where(b, c)}: ${why}`);
    }
  }
  assert.deepEqual(problems, []);
});

/**
 * A copy of the repository's files (tracked and not ignored), node_modules linked, for page `doc`. Its
 * path is the same on every run of this checkout (emptied first): `npx mia` links the package at that
 * path into npm's npx cache the first time, which takes a minute, and reuses the link afterwards.
 */
function workingCopy(doc: string): string {
  const key = createHash('sha256').update(root).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `mia-docs-${key}`, doc.replace(/[/.]/g, '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(files.status, 0, files.stderr);
  for (const f of files.stdout.split('\0').filter((x) => x !== '' && existsSync(join(root, x)))) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const copies: string[] = [];
after(() => {
  // the copies' contents go; the emptied folders stay, so that npx's links to them stay valid
  for (const d of copies) {
    for (const f of readdirSync(d)) rmSync(join(d, f), { recursive: true, force: true });
  }
});

interface Outcome {
  code: number | null;
  timedOut: boolean;
  output: string;
}

/** Runs `script` with bash in `cwd`, in its own process group, killed (all of it) after `timeoutS`. */
function runScript(script: string, cwd: string, timeoutS: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }, timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // a block's background jobs (`… &`) end with it
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
      resolve({ code, timedOut, output });
    });
  });
}

const runnable = docs
  .map((doc) => ({ doc, blocks: blocks.filter((b) => b.doc === doc && b.notRun === undefined) }))
  .filter((d) => d.blocks.length > 0);

test('every shell block not marked not-run runs as written and exits 0', { concurrency: 2 }, async (t) => {
  await Promise.all(
    runnable.map(({ doc, blocks: own }) =>
      t.test(doc, async (st) => {
        const dir = workingCopy(doc);
        copies.push(dir);
        for (const b of own) {
          const script = [
            'set -eo pipefail',
            ...(b.env !== undefined ? [`export ${b.env}`] : []),
            ...(b.setup !== undefined ? [b.setup] : []),
            b.lang === 'console' ? b.commands.join('\n') : b.text,
          ].join('\n');
          const t0 = performance.now();
          const r = await runScript(script, dir, b.timeoutS);
          st.diagnostic(`${where(b)}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
          const tail = r.output.trimEnd().split('\n').slice(-15).join('\n');
          assert.ok(!r.timedOut, `${where(b)}: still running after ${b.timeoutS} s (run-timeout)\n${tail}`);
          assert.equal(r.code, 0, `${where(b)}: exit ${r.code}\n${tail}`);
        }
      }),
    ),
  );
});

test('the check names a command, flag, script or file that does not exist', () => {
  assert.equal(missing('npx mia attack --input run.npz --json out.json'), undefined);
  assert.equal(missing('npx mia atack --input run.npz'), "mia has no command 'atack'");
  assert.equal(
    missing('npx mia attack --inputs run.npz'),
    'mia attack has no flag --inputs (mia attack --help)',
  );
  assert.equal(
    missing('MIA_SET=x npx mia demo --outdir d'),
    'mia demo has no flag --outdir (mia demo --help)',
  );
  assert.equal(missing('npm ci && npm run no-such'), "package.json has no script 'no-such'");
  assert.equal(missing('node --import tsx scripts/no-such.ts'), 'node: no file scripts/no-such.ts');
  assert.equal(missing('no-such-tool --x | cat'), "no command 'no-such-tool' on PATH");
  assert.deepEqual(commandsOf('$ npx mia plan \\\n    --fpr 0.01  # note\noutput line\n$ ls', 'console'), [
    'npx mia plan --fpr 0.01',
    'ls',
  ]);
});
