// What activation costs and what ships: the time to load dist/extension.js (parse + evaluate the bundle, the bulk
// of activation) in a fresh Node process with a stand-in `vscode` module, the sizes of dist/ and the VSIX, and what
// the two Node bundles are made of (esbuild's metafile, written beside each bundle by esbuild.mjs).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Bench } from './benchTypes';

const root = path.resolve(__dirname, '../../..');

const LOAD = `
const Module = require('module');
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? {} : load.call(this, request, ...rest); };
const t0 = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`;

const PACKAGES_SHOWN = 10;

/** Bytes each package (or `src`) contributes to a bundle, from its esbuild metafile; undefined when not built. */
function bundleComposition(bundle: string): Map<string, number> | undefined {
  const metaFile = path.join(root, bundle.replace(/\.js$/, '.meta.json'));
  if (!fs.existsSync(metaFile)) return undefined;
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const bytes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'src (Grounded)';
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return bytes;
}

/** The largest packages of the two Node bundles, side by side, and whether LangSmith is in them. */
function compositionTable(): { rows: string[][]; json: Record<string, Record<string, number> | null> } {
  const bundles = ['dist/extension.js', 'dist/cli.js'];
  const parts = bundles.map(bundleComposition);
  const kib = (n: number | undefined) => (n === undefined ? '-' : `${(n / 1024).toFixed(0)} KiB`);
  const first = parts[0] ?? new Map<string, number>();
  const largest = [...first.entries()].sort((a, b) => b[1] - a[1]).slice(0, PACKAGES_SHOWN).map(([name]) => name);
  const rows = largest.map(name => [name, ...parts.map(p => (p ? kib(p.get(name)) : 'not built'))]);
  const rest = (p: Map<string, number>) => [...p.entries()].filter(([name]) => !largest.includes(name)).reduce((n, [, b]) => n + b, 0);
  rows.push([`${Math.max(0, first.size - largest.length)} other packages`, ...parts.map(p => (p ? kib(rest(p)) : 'not built'))]);
  rows.push(['langsmith (tracing)', ...parts.map(p => (p ? (p.has('langsmith') ? `bundled, ${kib(p.get('langsmith'))}` : 'not bundled') : 'not built'))]);
  return { rows, json: Object.fromEntries(bundles.map((b, i) => [b, parts[i] ? Object.fromEntries(parts[i] ?? []) : null])) };
}

export const run: Bench = async ({ quick }) => {
  const bundle = path.join(root, 'dist/extension.js');
  const rounds = quick ? 5 : 15;
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push(Number(execFileSync(process.execPath, ['-e', LOAD, bundle], { encoding: 'utf8' })));
  times.sort((a, b) => a - b);
  const kib = (f: string) => (fs.existsSync(path.join(root, f)) ? `${(fs.statSync(path.join(root, f)).size / 1024).toFixed(0)} KiB` : 'not built');
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const files = ['dist/extension.js', 'dist/indexWorker.js', 'dist/webview.js', 'grounded.vsix', 'dist/cli.js'];
  const composition = compositionTable();
  return {
    name: 'extension',
    tables: [
      {
        title: `Extension: bundle load (median of ${rounds} fresh processes) and sizes (as last built; npm run package)`,
        columns: ['figure', 'value'],
        rows: [['load dist/extension.js', `${median.toFixed(1)} ms`], ...files.map(f => [f, kib(f)])],
      },
      {
        title: `What the Node bundles hold: the ${PACKAGES_SHOWN} largest packages of dist/extension.js (bytes in the output, esbuild metafile)`,
        columns: ['package', 'dist/extension.js', 'dist/cli.js'],
        rows: composition.rows,
      },
    ],
    json: {
      loadMs: median,
      sizes: Object.fromEntries(files.map(f => [f, fs.existsSync(path.join(root, f)) ? fs.statSync(path.join(root, f)).size : null])),
      packageBytes: composition.json,
    },
  };
};
