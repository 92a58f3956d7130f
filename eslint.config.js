// ESLint for bakedoctor. The linter and its plugins live in tools/lint (see its package.json for
// why): they are loaded from there, so the project's own dependencies stay as they are.
import {createRequire} from 'node:module'

const lintRequire = createRequire(new URL('./tools/lint/package.json', import.meta.url))
const load = async (name) => import(lintRequire.resolve(name))

const {default: js} = await load('@eslint/js')
const {default: tseslint} = await load('typescript-eslint')
const importX = await load('eslint-plugin-import-x')
const {createTypeScriptImportResolver} = await load('eslint-import-resolver-typescript')

/** What src/domain must not import: it is pure (events → steps → diff → verdicts), IO lives in adapters. */
const DOMAIN_FORBIDDEN = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https', 'undici', 'better-sqlite3']

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'tools/**', 'fixtures/**', 'test/fixtures/**', 'coverage/**', 'bench/.data/**', '**/*.js', '**/*.mjs']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: {'import-x': importX.default ?? importX},
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': {'@typescript-eslint/parser': ['.ts', '.tsx']},
      'import-x/resolver-next': [createTypeScriptImportResolver({project: './tsconfig.test.json'})],
    },
    rules: {
      // type-only cycles are erased at compile time; a runtime cycle is what breaks module loading
      'import-x/no-cycle': ['error', {ignoreExternal: true}],
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'}],
    },
  },
  {
    // tests may use loose JSON shapes
    files: ['test/**/*.{ts,tsx}', 'src/**/*.test.{ts,tsx}'],
    rules: {'@typescript-eslint/no-explicit-any': 'off'},
  },
  {
    files: ['src/domain/**/*.{ts,tsx}'],
    ignores: ['src/domain/**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: DOMAIN_FORBIDDEN.map((name) => ({name, message: 'src/domain is pure: do IO in src/adapters and pass the data in'})),
        patterns: [{group: ['**/adapters/**', '**/services/**', '**/output/**', '**/ui/**', '**/commands/**'], message: 'src/domain depends on nothing outside src/domain'}],
      }],
      'no-restricted-properties': ['error', {object: 'process', property: 'env', message: 'src/domain is pure: pass the environment in (e.g. an env record)'}],
    },
  },
)
