// ESLint for the panel's TypeScript (`jlpm lint`; formatting is Prettier's, see .prettierrc).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['lib/', 'node_modules/', 'coverage/', '.yarn/']),
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended]
  },
  {
    // The CommonJS configuration files of Jest and Babel.
    files: ['*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly'
      }
    }
  },
  {
    files: ['*.mjs', 'style/*.js'],
    extends: [js.configs.recommended]
  }
]);
