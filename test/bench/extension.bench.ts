// What activation costs and what ships: the size of the extension's entry bundle, dist/extension.js, and the time
// to load it (parse + evaluate, the bulk of activation) in a fresh Node process with a stand-in `vscode` module,
// beside issue 19's targets and the figures from before the core moved to its own bundle; the time the first
// question adds by loading that bundle, dist/core.js; the sizes of dist/ and the VSIX, and what the Node bundles
// are made of (esbuild's metafile, written beside each bundle by esbuild.mjs).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Bench } from './benchTypes';

const root = path.resolve(__dirname, '../../..');

/** Requires argv[1] (untimed, '' for none), then prints the milliseconds requiring argv[2] takes. */
const LOAD = `
const Module = require('module');
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? {} : load.call(this, request, ...rest); };
if (process.argv[1]) require(process.argv[1]);
const t0 = process.hrtime.bigint();
require(process.argv[2]);
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`;

/** Issue 19's targets for the entry bundle, and its figures before the core moved to dist/core.js. */
const ENTRY_TARGET = { bytes: 300_000, ms: 20 };
const ENTRY_BEFORE = { issue: { size: '1.8 MB', ms: '74 ms' }, lastBuild: { size: '1.4 MB', ms: '66 ms' } };

/** The median of `rounds` fresh processes' times to load `bundle` (after `first`, untimed). */
function medianLoadMs(rounds: number, bundle: string, first = ''): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++)
    times.push(Number(execFileSync(process.execPath, ['-e', LOAD, first, bundle], { encoding: 'utf8' })));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

const PACKAGES_SHOWN = 10;

/** Bytes each package (or `src`) contributes to a bundle, from its esbuild metafile; undefined when not built. */
function bundleComposition(bundle: string): Map<string, number> | undefined {
  const metaFile = path.join(root, bundle.replace(/\.js$/, '.meta.json'));
  if (!fs.existsSync(metaFile)) return undefined;
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const bytes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'src (Grounded)';
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return bytes;
}

/** The largest packages of the Node bundles, side by side, and whether LangSmith is in them. */
function compositionTable(): { rows: string[][]; json: Record<string, Record<string, number> | null> } {
  const bundles = ['dist/extension.js', 'dist/core.js', 'dist/cli.js'];
  const parts = bundles.map(bundleComposition);
  const kib = (n: number | undefined) => (n === undefined ? '-' : `${(n / 1024).toFixed(0)} KiB`);
  // the largest across the bundles: the entry holds few packages
  const largestAnywhere = new Map<string, number>();
  for (const p of parts)
    for (const [name, bytes] of p ?? []) largestAnywhere.set(name, Math.max(largestAnywhere.get(name) ?? 0, bytes));
  const largest = [...largestAnywhere.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, PACKAGES_SHOWN)
    .map(([name]) => name);
  const rows = largest.map(name => [name, ...parts.map(p => (p ? kib(p.get(name)) : 'not built'))]);
  const rest = (p: Map<string, number>) =>
    [...p.entries()].filter(([name]) => !largest.includes(name)).reduce((n, [, b]) => n + b, 0);
  rows.push([
    `${Math.max(0, largestAnywhere.size - largest.length)} other packages`,
    ...parts.map(p => (p ? kib(rest(p)) : 'not built')),
  ]);
  rows.push([
    'langsmith (tracing)',
    ...parts.map(p => (p ? (p.has('langsmith') ? `bundled, ${kib(p.get('langsmith'))}` : 'not bundled') : 'not built')),
  ]);
  return {
    rows,
    json: Object.fromEntries(bundles.map((b, i) => [b, parts[i] ? Object.fromEntries(parts[i] ?? []) : null])),
  };
}

export const run: Bench = async ({ quick }) => {
  const dist = (f: string) => path.join(root, 'dist', f);
  const rounds = quick ? 5 : 15;
  const entryMs = medianLoadMs(rounds, dist('extension.js'));
  const coreMs = fs.existsSync(dist('core.js'))
    ? medianLoadMs(rounds, dist('core.js'), dist('extension.js'))
    : undefined;
  const bytes = (f: string) => (fs.existsSync(path.join(root, f)) ? fs.statSync(path.join(root, f)).size : undefined);
  const kib = (f: string) => {
    const b = bytes(f);
    return b === undefined ? 'not built' : `${(b / 1024).toFixed(0)} KiB`;
  };
  const entryBytes = bytes('dist/extension.js') ?? 0;
  const meets = (ok: boolean) => (ok ? 'yes' : 'NO');
  const files = [
    'dist/extension.js',
    'dist/core.js',
    'dist/indexWorker.js',
    'dist/webview.js',
    'grounded.vsix',
    'dist/cli.js',
  ];
  const composition = compositionTable();
  return {
    name: 'extension',
    tables: [
      {
        title: `Activation: the entry bundle, dist/extension.js (load: median of ${rounds} fresh processes; as last built, npm run package)`,
        columns: ['figure', 'issue 19', 'before the split', 'now', 'target', 'met'],
        rows: [
          [
            'entry bundle size',
            ENTRY_BEFORE.issue.size,
            ENTRY_BEFORE.lastBuild.size,
            `${(entryBytes / 1000).toFixed(0)} KB`,
            `≤ ${ENTRY_TARGET.bytes / 1000} KB`,
            meets(entryBytes <= ENTRY_TARGET.bytes),
          ],
          [
            'entry bundle load',
            ENTRY_BEFORE.issue.ms,
            ENTRY_BEFORE.lastBuild.ms,
            `${entryMs.toFixed(1)} ms`,
            `≤ ${ENTRY_TARGET.ms} ms`,
            meets(entryMs <= ENTRY_TARGET.ms),
          ],
          [
            'first question: load dist/core.js',
            '-',
            '-',
            coreMs === undefined ? 'not built' : `${coreMs.toFixed(1)} ms`,
            '-',
            '-',
          ],
        ],
      },
      {
        title: 'Sizes (as last built; npm run package)',
        columns: ['file', 'size'],
        rows: files.map(f => [f, kib(f)]),
      },
      {
        title: `What the Node bundles hold: the ${PACKAGES_SHOWN} largest packages (bytes in the output, esbuild metafile)`,
        columns: ['package', 'dist/extension.js', 'dist/core.js', 'dist/cli.js'],
        rows: composition.rows,
      },
    ],
    json: {
      loadMs: entryMs,
      coreLoadMs: coreMs ?? null,
      target: ENTRY_TARGET,
      sizes: Object.fromEntries(files.map(f => [f, bytes(f) ?? null])),
      packageBytes: composition.json,
    },
  };
};
