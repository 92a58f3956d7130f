#!/usr/bin/env node
// `npm run build`: oclif (the entry bin/run.js starts, and what the commands take from it) bundled into
// one CommonJS file, dist/oclif.cjs. oclif is ~125 CommonJS modules; finding, reading and compiling
// them one by one was ~25 ms of every start (`--help` 132 → 108 ms, `--version` 127 → 104 ms, idle,
// hyperfine). One file, loaded once, shared by bin/run.js and src/cli/oclif.ts, so there is one oclif.
import {build} from 'esbuild'
import path from 'node:path'

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..')
await build({
  entryPoints: [path.join(root, 'scripts/oclif-entry.cjs')],
  outfile: path.join(root, 'dist/oclif.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'eof',
})
