/**
 * What a fuzz run saw, per parser and property (`parser/property`): cases, the exit code each case
 * maps to (0 = a result, 2 = an InputError; anything else is a crash), hangs (over CASE_BUDGET_MS),
 * the slowest case (wall and CPU time), and the peak RSS of the process running the parser. Printed
 * after each fuzz file; `npm run fuzz` (scripts/fuzz.mjs) collects every process's figures and checks
 * them against the limits.
 *
 * Peak RSS is the kernel's high-water mark (VmHWM) of this process (the vitest worker that runs the
 * parsers, with hcl2json's worker thread): read after every case and charged to that case's parser,
 * then reset (`/proc/self/clear_refs` 5), so each parser's figure covers its own cases (input
 * generation included) and the process's peak is the largest of them. Before a case, when the V8
 * heap holds more than GC_ABOVE_BYTES, a full garbage collection runs: the garbage of earlier cases
 * is not what one input costs (a CLI run reads one input in a fresh process); a case's own
 * allocations all count.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import {afterAll} from 'vitest'

export interface ParserFigures {
  cases: number
  exitCodes: Record<string, number>
  crashes: number
  hangs: number
  slowestMs: number
  /** CPU time of the slowest case (every thread of the process: hcl2json's worker and GC included) */
  slowestCpuMs: number
  /** the most CPU time any one case took */
  maxCpuMs: number
  /** peak RSS of this process while it ran this parser's cases, kB */
  peakRssKb: number
  /** wall and CPU time of the hangs (the first few) */
  hangCases: Array<{ms: number; cpuMs: number}>
}

const figures = new Map<string, ParserFigures>()
let current = 'unknown'

function entry(parser: string): ParserFigures {
  let f = figures.get(parser)
  if (!f) figures.set(parser, (f = {cases: 0, exitCodes: {}, crashes: 0, hangs: 0, slowestMs: 0, slowestCpuMs: 0, maxCpuMs: 0, peakRssKb: 0, hangCases: []}))
  return f
}

const GC_ABOVE_BYTES = 48 * 1024 * 1024
v8.setFlagsFromString('--expose-gc')
const fullGc = vm.runInNewContext('gc') as () => void

/**
 * Between two runs of a parser (cases, or the several entry points one case goes through): the
 * garbage of the earlier runs is collected when it is large, as a fresh CLI process would not have it.
 */
export function betweenRuns(): void {
  const m = process.memoryUsage()
  if (m.heapUsed + m.external > GC_ABOVE_BYTES) fullGc()
}

/** A case of `parser` starts (withinBudget calls this): its outcome is counted as exit 0 unless noted otherwise. */
export function startCase(parser: string): void {
  current = parser
  betweenRuns()
}

export function endCase(parser: string, ms: number, cpuMs: number, outcome: 'result' | 'input-error' | 'crash' | 'hang'): void {
  const f = entry(parser)
  f.cases++
  if (ms > f.slowestMs) {
    f.slowestMs = Math.round(ms)
    f.slowestCpuMs = Math.round(cpuMs)
  }
  f.maxCpuMs = Math.max(f.maxCpuMs, Math.round(cpuMs))
  const hw = peakRssKb()
  f.peakRssKb = Math.max(f.peakRssKb, hw)
  resetPeakRss()
  if (outcome === 'crash') f.crashes++
  else if (outcome === 'hang') {
    f.hangs++
    if (f.hangCases.length < 10) f.hangCases.push({ms: Math.round(ms), cpuMs: Math.round(cpuMs)})
  }
  else {
    const code = outcome === 'result' ? '0' : '2'
    f.exitCodes[code] = (f.exitCodes[code] ?? 0) + 1
  }
}

/** the outcome the current case reported (an InputError or a crash), reset per case */
let reported: 'input-error' | 'crash' | undefined
export function reportOutcome(outcome: 'input-error' | 'crash'): void {
  reported ??= outcome
}
export function takeReported(): 'input-error' | 'crash' | undefined {
  const r = reported
  reported = undefined
  return r
}
export const currentParser = (): string => current

export function peakRssKb(): number {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

let canReset = true
/** the high-water mark starts again from the current RSS (Linux ≥ 4.0) */
function resetPeakRss(): void {
  if (!canReset) return
  try {
    writeFileSync('/proc/self/clear_refs', '5')
  } catch {
    canReset = false // then every figure is the process's peak so far: never lower than the truth
  }
}

/** Prints this file's figures when it ends (and writes them for scripts/fuzz.mjs when asked). */
export function printFiguresAfterAll(file: string): void {
  afterAll(() => {
    const peak = Math.max(peakRssKb(), ...[...figures.values()].map((f) => f.peakRssKb))
    const rows = [...figures].map(([parser, f]) => {
      const codes = Object.entries(f.exitCodes).map(([c, n]) => `${c}×${n}`).join(' ')
      return `  ${parser.padEnd(26)} ${String(f.cases).padStart(6)} cases  exit ${codes.padEnd(18)} crashes ${f.crashes}  hangs>10s ${f.hangs}  slowest ${f.slowestMs} ms (cpu ${f.slowestCpuMs} ms)  peak RSS ${Math.round(f.peakRssKb / 1024)} MB`
    })
    process.stdout.write(`\nfuzz figures (${file}, peak RSS ${Math.round(peak / 1024)} MB):\n${rows.join('\n')}\n`)
    const dir = process.env.BAKEDOCTOR_FUZZ_FIGURES
    if (dir) {
      mkdirSync(dir, {recursive: true})
      const job = process.env.BAKEDOCTOR_FUZZ_JOB ?? path.basename(file)
      writeFileSync(path.join(dir, `${job}.json`), JSON.stringify({file, job, peakRssKb: peak, parsers: Object.fromEntries(figures)}))
    }
  })
}
