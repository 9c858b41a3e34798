// Lint, including the layer rules (DESIGN.md §8):
// - only src/vscode, src/extension.ts and the VS Code LM wrapper import `vscode`, in any form (static, type-only,
//   re-export, dynamic `import()`, `require()`, `import x = require()`, `import('vscode')` types), so everything
//   else runs and is tested in plain Node;
// - nothing below the surfaces (core, index, retrievers, embeddings, providers, shared) imports a surface
//   (src/vscode, src/webview, src/cli, src/extension.ts), in any of those forms;
// - only src/vscode and src/extension.ts import the VS Code LM wrapper, in any of those forms: it imports `vscode`, so
//   a module that imported it would bring `vscode` into the core, the index or the CLI one step removed;
// - code outside src/index imports the index only through its public surface, src/index/index.ts, so its folders
//   can change without touching the rest.
// Import cycles are refused by scripts/checkCycles.mjs (npm test).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const SRC = fileURLToPath(new URL('src', import.meta.url));
/** The VS Code LM wrapper: the one module outside the VS Code layer that imports `vscode`. */
const VSCODE_LM_WRAPPER = 'src/providers/vscodeLmChatModel.ts';
const VSCODE_ALLOWED = ['src/vscode/**', 'src/extension.ts', VSCODE_LM_WRAPPER];
const BELOW_SURFACES = [
  'src/core/**',
  'src/index/**',
  'src/retrievers/**',
  'src/embeddings/**',
  'src/providers/**',
  'src/shared/**',
];
/** The surfaces, as paths under src/ (a folder, or a module without its extension). */
const SURFACES = ['vscode', 'webview', 'cli', 'extension'];

const VSCODE_MESSAGE = 'This layer must not depend on VS Code: pass a port in instead.';
const vscodeImport = { name: 'vscode', message: VSCODE_MESSAGE };
/** The import forms `no-restricted-imports` does not see: dynamic import(), require(), `import('vscode')` types. */
const vscodeDynamicImports = [
  "ImportExpression[source.value='vscode']",
  "CallExpression[callee.name='require'][arguments.0.value='vscode']",
  "TSImportType[argument.literal.value='vscode']",
].map(selector => ({ selector, message: VSCODE_MESSAGE }));
/** `…/index/<anything>` except `…/index/index`: a module inside the index's folders. */
const indexInternals = {
  regex: '(^|/)index/(?!index$).',
  message:
    'Import the index from its public surface (src/index, i.e. src/index/index.ts), not from a file inside it; export what is missing there.',
};
const restrictImports = options => ({ 'no-restricted-imports': ['error', options] });

/** Calls `check` with every module specifier a file names, in any import form. */
function eachImport(check) {
  const visit = node => {
    if (node?.type === 'Literal' && typeof node.value === 'string') check(node);
  };
  return {
    ImportDeclaration: node => visit(node.source),
    ExportAllDeclaration: node => visit(node.source),
    ExportNamedDeclaration: node => visit(node.source),
    ImportExpression: node => visit(node.source),
    CallExpression: node => {
      if (node.callee.type === 'Identifier' && node.callee.name === 'require') visit(node.arguments[0]);
    },
    TSExternalModuleReference: node => visit(node.expression),
    TSImportType: node => visit(node.argument?.literal),
  };
}

/** Where a relative specifier lands, as a path under src/ without its extension (`core/ask`); undefined for a package. */
function targetOf(file, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  return path
    .relative(SRC, path.resolve(path.dirname(file), specifier))
    .split(path.sep)
    .join('/')
    .replace(/\.[cm]?[jt]s$/, '');
}

/** The surface a relative specifier lands in (`vscode`, `cli`, …), resolved from the importing file; undefined for none. */
function surfaceOf(file, specifier) {
  const target = targetOf(file, specifier);
  if (target === undefined || target.startsWith('..')) return undefined;
  const first = target.split('/')[0];
  return SURFACES.includes(first) ? first : undefined;
}

const layers = {
  rules: {
    'no-surface-imports': {
      meta: {
        type: 'problem',
        messages: {
          surface:
            'Code below the surfaces must not import a surface (src/{{surface}}): let the surface pass what it needs in.',
        },
        schema: [],
      },
      create: context =>
        eachImport(node => {
          const surface = surfaceOf(context.filename, node.value);
          if (surface)
            context.report({
              node,
              messageId: 'surface',
              data: { surface: surface === 'extension' ? 'extension.ts' : surface },
            });
        }),
    },
    'no-vscode-lm-wrapper': {
      meta: {
        type: 'problem',
        messages: {
          wrapper:
            'The VS Code LM wrapper imports vscode: only src/vscode and src/extension.ts may import it (the core receives the model it builds).',
        },
        schema: [],
      },
      create: context =>
        eachImport(node => {
          if (`src/${targetOf(context.filename, node.value)}.ts` === VSCODE_LM_WRAPPER)
            context.report({ node, messageId: 'wrapper' });
        }),
    },
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.vscode-test/**', 'test/fixtures/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**'],
    ignores: ['src/index/**'],
    rules: restrictImports({ patterns: [indexInternals] }),
  },
  {
    files: ['src/**'],
    ignores: ['src/index/**', ...VSCODE_ALLOWED],
    rules: {
      ...restrictImports({ paths: [vscodeImport], patterns: [indexInternals] }),
      'no-restricted-syntax': ['error', ...vscodeDynamicImports],
    },
  },
  {
    files: ['src/index/**'],
    rules: {
      ...restrictImports({ paths: [vscodeImport] }),
      'no-restricted-syntax': ['error', ...vscodeDynamicImports],
    },
  },
  {
    files: BELOW_SURFACES,
    plugins: { layers },
    rules: { 'layers/no-surface-imports': 'error' },
  },
  {
    files: ['src/**'],
    ignores: VSCODE_ALLOWED,
    plugins: { layers },
    rules: { 'layers/no-vscode-lm-wrapper': 'error' },
  },
);
