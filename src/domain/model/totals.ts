import type {RunTotals, Step} from './run.js'
import {neverRan} from './step-state.js'

/**
 * Hit rate over cacheable steps (docs/architecture.md, "Steps, identity and the hit rate"): hits / cacheable. Steps served in-run by a sibling
 * bake target are counted apart and are NOT hits. The time-weighted rate weighs each hit by what the
 * step cost when it last executed (`lastExecutedMs`, from the index); unknown costs are left out,
 * and when no hit's cost is known the rate is null. Steps that never started (after a failure, or
 * cancelled) are "not run": counted apart, not in `cacheable`.
 */
export function computeTotals(steps: readonly Step[], lastExecutedMs?: (step: Step) => number | undefined): RunTotals {
  let cacheable = 0
  let hits = 0
  let servedInRun = 0
  let savedMs = 0
  let spentMs = 0
  let unknownHitCosts = 0
  let notRun = 0
  for (const s of steps) {
    if (!s.cacheable) continue
    if (neverRan(s)) {
      notRun++
      continue
    }
    cacheable++
    if (s.cached && !s.servedInRun) {
      hits++
      const cost = lastExecutedMs?.(s)
      if (cost === undefined) unknownHitCosts++
      else savedMs += cost
    } else if (s.cached) {
      servedInRun++
    } else {
      spentMs += s.durationMs
    }
  }
  const hitRate = cacheable ? hits / cacheable : null
  let timeWeightedHitRate: number | null = null
  if (cacheable) {
    if (hits === 0) timeWeightedHitRate = spentMs > 0 ? 0 : null
    else if (unknownHitCosts < hits && savedMs + spentMs > 0) timeWeightedHitRate = savedMs / (savedMs + spentMs)
  }
  return {cacheable, hits, servedInRun, misses: cacheable - hits - servedInRun, hitRate, timeWeightedHitRate, savedMs, spentMs, ...(notRun ? {notRun} : {})}
}

/** Totals per group key (target, platform, target×platform). */
export function totalsBy(
  steps: readonly Step[],
  keyOf: (s: Step) => string,
  lastExecutedMs?: (step: Step) => number | undefined,
): Map<string, RunTotals> {
  const groups = new Map<string, Step[]>()
  for (const s of steps) {
    if (!s.cacheable) continue
    const k = keyOf(s)
    let g = groups.get(k)
    if (!g) groups.set(k, (g = []))
    g.push(s)
  }
  const out = new Map<string, RunTotals>()
  for (const [k, g] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) out.set(k, computeTotals(g, lastExecutedMs))
  return out
}
