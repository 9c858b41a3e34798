// Lint, including the layer rules: the core, the index, the retrievers and the providers (except the VS Code
// LM wrapper) never import `vscode`, so they run and are tested in plain Node; code outside src/index imports the
// index only through its public surface, src/index/index.ts, so its folders can change without touching the rest.
import tseslint from 'typescript-eslint';

const vscodeImport = { name: 'vscode', message: 'This layer must not depend on VS Code: pass a port in instead.' };
/** `…/index/<anything>` except `…/index/index`: a module inside the index's folders. */
const indexInternals = {
  regex: '(^|/)index/(?!index$).',
  message: 'Import the index from its public surface (src/index, i.e. src/index/index.ts), not from a file inside it; export what is missing there.',
};
const restrictImports = options => ({ 'no-restricted-imports': ['error', options] });
const NO_VSCODE_LAYERS = ['src/core/**', 'src/retrievers/**', 'src/embeddings/**', 'src/providers/**', 'src/cli/**', 'src/shared/**', 'src/webview/**'];

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
    files: NO_VSCODE_LAYERS,
    ignores: ['src/providers/vscodeLmChatModel.ts'],
    rules: restrictImports({ paths: [vscodeImport], patterns: [indexInternals] }),
  },
  {
    files: ['src/index/**'],
    rules: restrictImports({ paths: [vscodeImport] }),
  },
);
