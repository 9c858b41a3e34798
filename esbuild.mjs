// Bundles the extension (Node, CommonJS, `vscode` external), the panel's browser code and the CLI.
//   node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  // The index worker thread, loaded by dist/extension.js and dist/cli.js from beside them (see indexWorkerClient.ts).
  { ...common, entryPoints: ['src/index/indexWorker.ts'], outfile: 'dist/indexWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

function report(result, outfile) {
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`${outfile.padEnd(20)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB`);
}

if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context({
      ...options,
      plugins: [{ name: 'log', setup(b) { b.onEnd(r => { if (r.errors.length === 0) report(r, options.outfile); }); } }],
    });
    await ctx.watch();
  }
  console.log('watching…');
} else {
  const results = await Promise.all(builds.map(o => esbuild.build(o)));
  results.forEach((r, i) => report(r, builds[i].outfile));
}
