/** `mia fetch ID --out DIR`: downloads the run directory of an audit of a `mia serve`. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { defineCommand } from './command.js';
import { text } from './flags.js';
import { clientOf, serverFlags } from './server-flags.js';

export const fetchCommand = defineCommand({
  name: 'fetch',
  summary: 'download the run directory of an audit of a mia serve',
  description: `Downloads every file of the audit's run directory (results.json, report/, models, signals; see
docs/run-dir.md) into --out (default runs/<ID>), each written atomically.`,
  positional: { name: 'id', placeholder: 'ID', noun: 'audit id' },
  flags: {
    ...serverFlags(),
    out: text({
      placeholder: 'DIR',
      output: 'dir',
      description: 'where to write the files (default runs/<ID>)',
    }),
  },
  async run(args) {
    const client = clientOf('fetch', args);
    const out = args.out ?? join('runs', args.id);
    const files = await client.files(args.id);
    let bytes = 0;
    for (const f of files) {
      const data = await client.file(args.id, f.path);
      const target = join(out, ...f.path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileAtomic(target, data);
      bytes += data.length;
    }
    console.log(`fetched ${files.length} files (${(bytes / 1e6).toFixed(1)} MB) into ${out}`);
    return 0;
  },
});
