/**
 * What a fuzz run saw, per parser: cases, the exit code each case maps to (0 = a result, 2 = an
 * InputError; anything else is a crash), hangs (over CASE_BUDGET_MS), the slowest case, and the
 * test process's peak RSS (VmHWM). Printed after each fuzz file; `npm run fuzz` (scripts/fuzz.mjs)
 * collects every file's figures and checks them against the limits.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll} from 'vitest'

export interface ParserFigures {
  cases: number
  exitCodes: Record<string, number>
  crashes: number
  hangs: number
  slowestMs: number
}

const figures = new Map<string, ParserFigures>()
let current = 'unknown'

function entry(parser: string): ParserFigures {
  let f = figures.get(parser)
  if (!f) figures.set(parser, (f = {cases: 0, exitCodes: {}, crashes: 0, hangs: 0, slowestMs: 0}))
  return f
}

/** A case of `parser` starts (withinBudget calls this): its outcome is counted as exit 0 unless noted otherwise. */
export function startCase(parser: string): void {
  current = parser
}

export function endCase(parser: string, ms: number, outcome: 'result' | 'input-error' | 'crash' | 'hang'): void {
  const f = entry(parser)
  f.cases++
  f.slowestMs = Math.max(f.slowestMs, Math.round(ms))
  if (outcome === 'crash') f.crashes++
  else if (outcome === 'hang') f.hangs++
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

/** Prints this file's figures when it ends (and writes them for scripts/fuzz.mjs when asked). */
export function printFiguresAfterAll(file: string): void {
  afterAll(() => {
    const peak = peakRssKb()
    const rows = [...figures].map(([parser, f]) => {
      const codes = Object.entries(f.exitCodes).map(([c, n]) => `${c}×${n}`).join(' ')
      return `  ${parser.padEnd(22)} ${String(f.cases).padStart(6)} cases  exit ${codes.padEnd(18)} crashes ${f.crashes}  hangs>10s ${f.hangs}  slowest ${f.slowestMs} ms`
    })
    process.stdout.write(`\nfuzz figures (${file}, peak RSS ${Math.round(peak / 1024)} MB):\n${rows.join('\n')}\n`)
    const dir = process.env.BAKEDOCTOR_FUZZ_FIGURES
    if (dir) {
      mkdirSync(dir, {recursive: true})
      writeFileSync(path.join(dir, `${path.basename(file)}.json`), JSON.stringify({file, peakRssKb: peak, parsers: Object.fromEntries(figures)}))
    }
  })
}
