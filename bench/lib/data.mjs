// Bench data in bench/.data/: generated once, streaming to disk, reused while its recipe is unchanged.
import {createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {bakeStreamLines} from '../synthetic.mjs'

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
export const DATA_DIR = path.join(BENCH_DIR, '.data')
export const ROOT = path.dirname(BENCH_DIR)

export function ensureDataDir() {
  mkdirSync(DATA_DIR, {recursive: true})
  return DATA_DIR
}

/** Writes lines to a file with backpressure, ~1 MB per write; never holds the file in memory. */
export async function writeLines(file, lines) {
  const tmp = `${file}.tmp`
  const out = createWriteStream(tmp)
  let batch = []
  let size = 0
  const flush = async () => {
    if (!batch.length) return
    const text = batch.join('')
    batch = []
    size = 0
    if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve))
  }
  for (const line of lines) {
    batch.push(line, '\n')
    size += line.length + 1
    if (size >= 1 << 20) await flush()
  }
  await flush()
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())))
  renameSync(tmp, file)
}

/**
 * A file made by `make(file)` unless it exists with the same recipe (a JSON of the parameters,
 * stored next to it as FILE.recipe).
 */
export async function cached(name, recipe, make) {
  ensureDataDir()
  const file = path.join(DATA_DIR, name)
  const recipeFile = `${file}.recipe`
  const want = JSON.stringify(recipe)
  if (existsSync(file) && existsSync(recipeFile) && readFileSync(recipeFile, 'utf8') === want) return {file, fresh: false}
  await make(file)
  writeFileSync(recipeFile, want)
  return {file, fresh: true}
}

/**
 * One bake stream of roughly `bytes`: `targets` × 2 platforms × 30 steps, the executed RUN steps
 * printing enough output (in 16 KiB `logs` messages, as BuildKit sends them) to reach the size.
 */
export function bigStreamShape(bytes, targets = 40) {
  const steps = targets * 2 * 30
  // measured: with cachedRatio 0.5 about 1/3 of the steps are executed RUNs; base64 = 4/3
  const executedRuns = Math.round(steps * 0.258)
  const logBytesPerRun = Math.max(200, Math.round((bytes * 0.75) / executedRuns))
  return {targets, stepsPerTarget: 30, cachedRatio: 0.5, seed: 7, runId: 1, logBytesPerRun, logChunkBytes: 16 * 1024}
}

export async function bigStream(name, bytes, targets) {
  const shape = bigStreamShape(bytes, targets)
  const {file, fresh} = await cached(name, {v: 2, shape}, (f) => writeLines(f, bakeStreamLines(shape)))
  return {file, fresh, shape, size: statSync(file).size}
}

export function mib(bytes) {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(0)} MB`
}
