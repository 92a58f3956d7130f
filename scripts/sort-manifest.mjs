#!/usr/bin/env node
// oclif writes the manifest's commands in directory-listing order, which differs between checkouts
// (ext4 hashes names per directory): sort them, so the committed manifest is what every build makes.
import {readFileSync, writeFileSync} from 'node:fs'

const file = new URL('../oclif.manifest.json', import.meta.url)
const manifest = JSON.parse(readFileSync(file, 'utf8'))
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n')
