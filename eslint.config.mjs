// Process boundaries are lint rules, not conventions: Electron only in src-main/app/,
// and the renderer never reaches into main (it talks to window.studio via the contract).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const noElectron = {
  paths: [{ name: 'electron', message: "Only src-main/app/ may import 'electron'; keep domain code plain Node." }],
  patterns: [{ group: ['electron/*'], message: "Only src-main/app/ may import 'electron'." }],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.test-output/**', 'native/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', noElectron],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-main/app/**/*.ts', 'src-preload/index.ts', 'e2e/electron/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', {
        paths: noElectron.paths,
        patterns: [
          ...noElectron.patterns,
          { group: ['**/src-main', '**/src-main/**'], message: 'The renderer talks to main only through window.studio (src-shared/contract).' },
          { group: ['node:*'], message: 'The renderer runs in a browser sandbox: no Node built-ins.' },
        ],
      }],
    },
  },
);
