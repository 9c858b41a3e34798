// Bundles the extension (Node, CommonJS, `vscode` external), the panel's browser code and the CLI.
//   node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  // `pg` swaps its pure-JS client for the native `pg-native` when NODE_PG_FORCE_NATIVE is set, as it may be in a shell
  // for other programs: no bundle holds pg-native, so loading pg (the CLI's every command, a pgvector search in the
  // extension) threw "Cannot find module 'pg-native'". The bundles always use the pure-JS client.
  define: { 'process.env.NODE_PG_FORCE_NATIVE': 'undefined' },
};

/**
 * LangSmith tracing cannot run in a bundle, whatever the environment says (LANGSMITH_TRACING=true would upload
 * questions and passages to LANGSMITH_ENDPOINT): `langsmith` resolves to a module without network code, and
 * LangChain's isTracingEnabled is always false (the one tracer it adds for LANGCHAIN_TRACING also needs it), and
 * LANGCHAIN_VERBOSE adds no console tracer. The extension host's process.env belongs to every extension, so this is
 * decided here, not by changing it. The build fails if another bundled module reads one of these variables, so an
 * upgrade cannot turn tracing back on unnoticed.
 */
const tracingOff = {
  name: 'tracing-off',
  setup(build) {
    const replacement = name => path.resolve('src/providers/tracingOff', name);
    build.onResolve({ filter: /^langsmith(\/.*)?$/ }, () => ({ path: replacement('langsmith.ts') }));
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, args => {
      if (/[\\/]@langchain[\\/]core[\\/]dist[\\/]utils[\\/]callbacks\.c?js$/.test(args.path)) {
        return { contents: readFileSync(replacement('callbacks.ts'), 'utf8'), loader: 'ts' };
      }
      const source = readFileSync(args.path, 'utf8');
      // LANGCHAIN_VERBOSE=true adds a console tracer that prints every run's inputs and outputs (questions,
      // passages, answers) to stdout: the CLI's output and the extension host's console.
      const patched = /[\\/]@langchain[\\/]core[\\/]dist[\\/]callbacks[\\/]manager\.c?js$/.test(args.path)
        ? source.replace('getEnvironmentVariable("LANGCHAIN_VERBOSE") === "true"', 'false')
        : source;
      const reads = patched.match(/\b(?:LANGSMITH_TRACING(?:_V2)?|LANGCHAIN_TRACING_V2|LANGCHAIN_VERBOSE)\b/);
      if (reads)
        return {
          errors: [
            {
              text: `${args.path} reads ${reads[0]}: tracing must stay off; extend the tracing-off plugin in esbuild.mjs`,
            },
          ],
        };
      return patched === source ? undefined : { contents: patched, loader: 'js' }; // undefined: esbuild loads it as usual
    });
  },
};

/**
 * zod (bundled for LangChain, which declares tool and state schemas with it) re-exports its error messages in every
 * language it knows; Grounded never shows a zod message and zod itself speaks English, so only `en` is bundled. A
 * bundled module importing another locale by name fails the build.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, args => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/**
 * The extension's entry bundle holds only what activation needs. src/vscode/loadCore.ts reaches the core through
 * `import('./coreBundle.js')`: in dist/extension.js that import stays a runtime require of dist/core.js (the
 * second bundle, built from src/vscode/coreBundle.ts), so the core is parsed at the first question, not at
 * activation.
 */
const coreBundleOnDemand = {
  name: 'core-bundle-on-demand',
  setup(build) {
    const loader = path.resolve('src/vscode/loadCore.ts');
    build.onResolve({ filter: /^\.\/coreBundle\.js$/ }, args =>
      path.resolve(args.importer) === loader ? { path: './core.js', external: true } : undefined,
    );
  },
};

/** Packages only the core uses: one of them in dist/extension.js means something reached the core without loadCore(). */
const CORE_ONLY_PACKAGES =
  /(^|[\\/])node_modules[\\/](@langchain|openai|zod|pg|js-tiktoken|markdown-it|dompurify)[\\/]/;

function checkEntryBundle(result) {
  const leaked = Object.keys(result.metafile.inputs).filter(input => CORE_ONLY_PACKAGES.test(input));
  if (leaked.length > 0) {
    throw new Error(
      `dist/extension.js holds the core's packages (${leaked.slice(0, 3).join(', ')}…): import the core through src/vscode/loadCore.ts`,
    );
  }
}

/**
 * The document parsers (pdf.js, mammoth) run only in the document extractor thread, never on the extension host's
 * thread nor on the index worker's: one of them in any other bundle means something imported
 * src/index/documents/binaryDocuments.ts outside src/index/build/documentExtractor.ts. Nor may the extractor hold a
 * native canvas (pdf.js's optional rendering).
 */
const DOCUMENT_PARSER_PACKAGES = /(^|[\\/])node_modules[\\/](pdfjs-dist|mammoth|jszip|pdf-lib)[\\/]/;
const NATIVE_PACKAGES = /(^|[\\/])node_modules[\\/](@napi-rs|canvas)[\\/]|\.node$/;

function checkDocumentParsers(result, outfile) {
  const inputs = Object.keys(result.metafile.inputs);
  const parsers = inputs.filter(input => DOCUMENT_PARSER_PACKAGES.test(input));
  if (outfile !== 'dist/documentExtractor.js' && parsers.length > 0) {
    throw new Error(
      `${outfile} holds a document parser (${parsers.slice(0, 3).join(', ')}…): documents are extracted in the document extractor thread only`,
    );
  }
  const native = inputs.filter(input => NATIVE_PACKAGES.test(input));
  if (native.length > 0) throw new Error(`${outfile} holds native code (${native.slice(0, 3).join(', ')}…)`);
}

/** The MCP server's SDK serves `grounded mcp` only: in any bundle but dist/cli.js it would be dead weight at activation. */
const CLI_ONLY_PACKAGES = /(^|[\\/])node_modules[\\/]@modelcontextprotocol[\\/]/;

function checkCliOnly(result, outfile) {
  const leaked = Object.keys(result.metafile.inputs).filter(input => CLI_ONLY_PACKAGES.test(input));
  if (outfile !== 'dist/cli.js' && leaked.length > 0)
    throw new Error(`${outfile} holds the MCP SDK (${leaked.slice(0, 3).join(', ')}…): it belongs in dist/cli.js only`);
}

const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [coreBundleOnDemand],
    // import() of an external module becomes require(): dist/core.js is CommonJS, loaded like the entry (the
    // extension host serves require('vscode') to both)
    supported: { 'dynamic-import': false },
  },
  {
    ...common,
    entryPoints: ['src/vscode/coreBundle.ts'],
    outfile: 'dist/core.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [tracingOff, zodEnglishOnly],
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [tracingOff, zodEnglishOnly],
  },
  // The index worker thread, loaded by dist/extension.js and dist/cli.js from beside them (see src/index/build/indexWorkerClient.ts).
  {
    ...common,
    entryPoints: ['src/index/build/indexWorker.ts'],
    outfile: 'dist/indexWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  // The document extractor thread, started by the index worker's threads from beside it (see src/index/build/isolatedExtractor.ts).
  {
    ...common,
    entryPoints: ['src/index/build/documentExtractor.ts'],
    outfile: 'dist/documentExtractor.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

/** Prints the bundle's size and keeps its metafile beside it (dist/NAME.meta.json, not shipped) for the extension bench. */
function report(result, outfile) {
  if (outfile === 'dist/extension.js') checkEntryBundle(result);
  if (outfile !== 'dist/webview.js') checkDocumentParsers(result, outfile);
  checkCliOnly(result, outfile);
  writeFileSync(outfile.replace(/\.js$/, '.meta.json'), JSON.stringify(result.metafile));
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`${outfile.padEnd(20)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB`);
}

/**
 * pdf.js's character maps (Adobe's CMaps, 1.7 MB, with their licence) beside the document extractor, which reads them from
 * dist/pdfjs-cmaps: a PDF font that names one as its encoding (common in Chinese, Japanese and Korean PDFs) gives no
 * text without it. See src/index/documents/pdfDocument.ts.
 */
cpSync('node_modules/pdfjs-dist/cmaps', 'dist/pdfjs-cmaps', { recursive: true });

if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context({
      ...options,
      plugins: [
        ...(options.plugins ?? []),
        {
          name: 'log',
          setup(b) {
            b.onEnd(r => {
              if (r.errors.length === 0) report(r, options.outfile);
            });
          },
        },
      ],
    });
    await ctx.watch();
  }
  console.log('watching…');
} else {
  const results = await Promise.all(builds.map(o => esbuild.build(o)));
  results.forEach((r, i) => report(r, builds[i].outfile));
}
