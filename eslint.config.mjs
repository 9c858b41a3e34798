// Lint, including the layer rule: the core, the index, the retrievers and the providers (except the VS Code
// LM wrapper) never import `vscode`, so they run and are tested in plain Node.
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'This layer must not depend on VS Code: pass a port in instead.' }] }],
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
    files: ['src/core/**', 'src/index/**', 'src/retrievers/**', 'src/embeddings/**', 'src/providers/**', 'src/cli/**', 'src/shared/**', 'src/webview/**'],
    ignores: ['src/providers/vscodeLmChatModel.ts'],
    rules: noVscode,
  },
);
