// What activation costs and what ships: the time to load dist/extension.js (parse + evaluate the bundle, the bulk
// of activation) in a fresh Node process with a stand-in `vscode` module, and the sizes of dist/ and the VSIX.
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

export const run: Bench = async ({ quick }) => {
  const bundle = path.join(root, 'dist/extension.js');
  const rounds = quick ? 5 : 15;
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push(Number(execFileSync(process.execPath, ['-e', LOAD, bundle], { encoding: 'utf8' })));
  times.sort((a, b) => a - b);
  const kib = (f: string) => (fs.existsSync(path.join(root, f)) ? `${(fs.statSync(path.join(root, f)).size / 1024).toFixed(0)} KiB` : 'not built');
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const files = ['dist/extension.js', 'dist/indexWorker.js', 'dist/webview.js', 'grounded.vsix', 'dist/cli.js'];
  return {
    name: 'extension',
    tables: [
      {
        title: `Extension: bundle load (median of ${rounds} fresh processes) and sizes (as last built; npm run package)`,
        columns: ['figure', 'value'],
        rows: [['load dist/extension.js', `${median.toFixed(1)} ms`], ...files.map(f => [f, kib(f)])],
      },
    ],
    json: { loadMs: median, sizes: Object.fromEntries(files.map(f => [f, fs.existsSync(path.join(root, f)) ? fs.statSync(path.join(root, f)).size : null])) },
  };
};
