#!/usr/bin/env node
// `npm run build`: names this build of bakedoctor for the stored explanation (issue #17,
// src/adapters/db/stored-explanation.ts). An explanation stored by one build is used only by the same
// build: the name is a hash of every compiled file and the package version, so any change to how runs
// are read, explained or redacted makes explanations stored before it stale, with nothing to remember
// to bump by hand.
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..')
const dist = path.join(root, 'dist')
const OUT = 'explanation-version.json'
const hash = createHash('sha256')
hash.update(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version)
const files = readdirSync(dist, {recursive: true, withFileTypes: true})
  .filter((e) => e.isFile() && /\.(c|m)?js$/.test(e.name))
  .map((e) => path.relative(dist, path.join(e.parentPath ?? e.path, e.name)))
  .sort()
for (const rel of files) hash.update(`\0${rel}\0`).update(readFileSync(path.join(dist, rel)))
writeFileSync(path.join(dist, OUT), JSON.stringify({version: hash.digest('hex').slice(0, 32), files: files.length}) + '\n')
