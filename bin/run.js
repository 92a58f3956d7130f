#!/usr/bin/env node
// oclif bundled into one file at build time (scripts/bundle-oclif.mjs): one file to load instead of ~125
import {createRequire} from 'node:module'

const {execute} = createRequire(import.meta.url)('../dist/oclif.cjs')
await execute({dir: import.meta.url})
