/**
 * hcl2json (Go compiled to WASM) in a worker thread: bounded in time (a deadline, then the worker
 * is terminated) and in memory (the Go heap inside the WASM memory only grows, so a worker whose
 * memory passed a bound, or that served many parses, is replaced after its parse).
 */
import {InputError} from '../../domain/errors.js'
import {keepWasmOnBaselineTier} from '../wasm-tier.js'

/**
 * hcl2json cannot be interrupted from JS and spends ~70 µs on every invalid token it reports: a few
 * hundred KiB of some junk keep it busy for a minute. A real 1 MiB bake file (the size limit)
 * parses in 1–2 s; the deadline plus the evaluation budget (BAKE_LIMITS.millis) keeps one bake
 * file's whole path well under 10 s.
 */
export const HCL_PARSE_DEADLINE_MS = 4_000

/** a worker whose WASM memory passed this after a parse is replaced (a fresh one starts at ~19 MB, a few hostile parses take it to 80) */
export const HCL_WORKER_MAX_WASM_BYTES = 56 * 1024 * 1024

/** …and so is one that served this many parses (Go's heap fragments and never shrinks) */
export const HCL_WORKER_MAX_PARSES = 500

/** the deadline: BAKEDOCTOR_HCL_PARSE_TIMEOUT (seconds) or HCL_PARSE_DEADLINE_MS */
function parseDeadlineMs(): number {
  const seconds = Number(process.env.BAKEDOCTOR_HCL_PARSE_TIMEOUT)
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : HCL_PARSE_DEADLINE_MS
}

// the worker notes the WASM instance's memory (hcl2json keeps it private) to report its size
const WORKER_SOURCE = `
const {parentPort, workerData} = require('node:worker_threads')
let memory
const instantiate = WebAssembly.instantiate
WebAssembly.instantiate = async (...args) => {
  const r = await instantiate.apply(WebAssembly, args)
  memory = (r.instance ?? r).exports.mem
  return r
}
const hcl = import(workerData.module)
const wasmBytes = () => (memory ? memory.buffer.byteLength : 0)
parentPort.on('message', ({id, name, text}) => {
  hcl.then((m) => m.parse(name, text)).then(
    (json) => parentPort.postMessage({id, json, wasmBytes: wasmBytes()}),
    (error) => parentPort.postMessage({id, error: String(error && error.message !== undefined ? error.message : error), wasmBytes: wasmBytes()}),
  )
})`

type Reply = {id: number; json?: unknown; error?: string; wasmBytes: number}

interface Parser {
  worker: import('node:worker_threads').Worker
  pending: Map<number, (r: Reply | Error) => void>
  parses: number
}

/** one parser worker per process, reused (the WASM loads once); replaced after a deadline kill or when it grew */
let parser: Parser | undefined
let nextId = 0
let queue: Promise<unknown> = Promise.resolve()
/** workers started and retired so far (tests check that a grown or killed worker is replaced) */
const stats = {started: 0, retired: 0}

export function hclWorkerStats(): {started: number; retired: number} {
  return {...stats}
}

async function startParser(): Promise<Parser> {
  const [{Worker}, {createRequire}, {pathToFileURL}] = await Promise.all([import('node:worker_threads'), import('node:module'), import('node:url')])
  const module = pathToFileURL(createRequire(import.meta.url).resolve('@cdktf/hcl2json')).href
  keepWasmOnBaselineTier() // hcl2json is Go compiled to WebAssembly
  const worker = new Worker(WORKER_SOURCE, {eval: true, workerData: {module}})
  stats.started++
  const p: Parser = {worker, pending: new Map(), parses: 0}
  worker.on('message', (m: Reply) => p.pending.get(m.id)?.(m))
  worker.on('error', (e) => {
    for (const done of p.pending.values()) done(e)
    if (parser === p) parser = undefined
  })
  // an idle parser must not keep the process alive (listeners re-ref it: unref after them, and per parse)
  worker.unref()
  return p
}

function retire(p: Parser): void {
  stats.retired++
  if (parser === p) parser = undefined
  void p.worker.terminate()
}

/** Parses with the shared worker, one file at a time; a parse over the deadline kills the worker. */
export function parseHclInWorker(name: string, text: string): Promise<unknown> {
  const job = queue.then(async () => {
    parser ??= await startParser()
    const p = parser
    const id = nextId++
    const deadline = parseDeadlineMs()
    const reply = await new Promise<Reply | Error>((resolve) => {
      const timer = setTimeout(() => {
        p.pending.delete(id)
        retire(p)
        resolve(new InputError(`the HCL parser did not finish within ${deadline / 1000} s`, {
          file: name, position: {line: 1}, fix: 'check that this is a bake file; a real one parses in a second or two (split a very large one into several -f files, or raise BAKEDOCTOR_HCL_PARSE_TIMEOUT=<seconds>)',
        }))
      }, deadline)
      p.pending.set(id, (r) => {
        clearTimeout(timer)
        p.pending.delete(id)
        p.worker.unref()
        resolve(r)
      })
      p.worker.ref()
      p.worker.postMessage({id, name, text})
    })
    if (reply instanceof Error) throw reply
    if (++p.parses >= HCL_WORKER_MAX_PARSES || reply.wasmBytes > HCL_WORKER_MAX_WASM_BYTES) retire(p)
    if (reply.error !== undefined) throw new Error(reply.error)
    return reply.json
  })
  queue = job.catch(() => undefined)
  return job
}
