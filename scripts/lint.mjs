#!/usr/bin/env node
// `npm run lint`: ESLint (typescript-eslint recommended, import cycles, domain purity; eslint.config.js)
// over src/ and test/. The linter lives in tools/lint with its own lock file (it needs TypeScript's
// JS API, which the project's TypeScript 7 does not have); it is installed there on first use.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const tools = path.join(root, 'tools/lint')
const run = (cmd, args, cwd) => spawnSync(cmd, args, {cwd, stdio: 'inherit'}).status ?? 1
if (!existsSync(path.join(tools, 'node_modules/.bin/eslint'))) {
  const code = run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], tools)
  if (code !== 0) process.exit(code)
}
process.exit(run(path.join(tools, 'node_modules/.bin/eslint'), ['--max-warnings=0', 'src', 'test', ...process.argv.slice(2)], root))
