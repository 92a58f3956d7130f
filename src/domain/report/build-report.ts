import type {Explanation, StepExplanation, Verdict} from '../explain/types.js'
import {stepLabel} from '../model/step-identity.js'
import {groupRootCauses} from '../explain/root-cause-groups.js'
import type {LostByStep, LostByVerdict, RatePoint, RateSeries, RecurringRootCause, Report, ReportRunInput} from './types.js'

/** Labels of steps sort by target, platform, stage and index: the order a reader walks a bake in. */
const bySeries = (a: RateSeries, b: RateSeries) => (a.target ?? '').localeCompare(b.target ?? '') || (a.platform ?? '').localeCompare(b.platform ?? '')

/**
 * The period report (issue #19): rates over the runs (whole runs, and per target × platform), time
 * lost per root-cause kind and per step, root causes that came back, and the newest explanation.
 * `runs` in any order; the report lists them oldest first.
 */
export function buildReport(runs: readonly ReportRunInput[], options: {generatedAt: number; filter: Report['filter']; topRecurring?: number; topSteps?: number}): Report {
  const ordered = [...runs].sort((a, b) => a.summary.createdAt - b.summary.createdAt || runNumber(a.summary.id) - runNumber(b.summary.id))
  const point = (r: ReportRunInput, t: Pick<RatePoint, 'hits' | 'cacheable' | 'hitRate' | 'timeWeightedHitRate'>): RatePoint => ({
    runId: r.summary.id, createdAt: r.summary.createdAt, hits: t.hits, cacheable: t.cacheable, hitRate: t.hitRate, timeWeightedHitRate: t.timeWeightedHitRate,
  })
  const overall: RateSeries = {points: ordered.map((r) => point(r, r.summary))}

  const series = new Map<string, RateSeries>()
  for (const r of ordered) {
    for (const g of r.byTargetPlatform) {
      const key = `${g.target}\u0000${g.platform}`
      let s = series.get(key)
      if (!s) series.set(key, (s = {target: g.target, platform: g.platform, points: []}))
      s.points.push(point(r, g.totals))
    }
  }

  const lostByVerdict = new Map<Verdict, LostByVerdict>()
  const lostByStep = new Map<string, LostByStep>()
  const recurring = new Map<string, RecurringRootCause>()
  for (const r of ordered) {
    for (const c of r.explanation.rootCauses) {
      const v = lostByVerdict.get(c.verdict) ?? {verdict: c.verdict, ms: 0, rootCauses: 0}
      v.ms += c.invalidatedMs
      v.rootCauses++
      lostByVerdict.set(c.verdict, v)
    }
    for (const c of sameCause(r.explanation)) {
      const key = `${c.verdict}\u0000${c.labels.join('\u0000')}`
      const rec = recurring.get(key) ?? {verdict: c.verdict, labels: c.labels, summary: c.summary, runs: [], ms: 0}
      rec.runs.push(r.summary.id)
      rec.ms += c.ms
      rec.summary = c.summary
      if (c.advice) rec.advice = c.advice
      recurring.set(key, rec)
    }
    for (const s of r.explanation.steps) {
      if (!s.verdict) continue
      const label = stepLabelOf(s)
      const l = lostByStep.get(label) ?? {label, ms: 0, misses: 0}
      l.ms += s.durationMs
      l.misses++
      lostByStep.set(label, l)
    }
  }

  return {
    generatedAt: options.generatedAt,
    filter: options.filter,
    runs: ordered.map((r) => r.summary),
    overall,
    series: [...series.values()].sort(bySeries),
    lostByVerdict: [...lostByVerdict.values()].sort((a, b) => b.ms - a.ms || a.verdict.localeCompare(b.verdict)),
    lostByStep: [...lostByStep.values()].sort((a, b) => b.ms - a.ms || a.label.localeCompare(b.label)).slice(0, options.topSteps ?? 15),
    recurring: [...recurring.values()]
      .sort((a, b) => b.runs.length - a.runs.length || b.ms - a.ms || a.labels[0]!.localeCompare(b.labels[0]!))
      .slice(0, options.topRecurring ?? 10),
    last: ordered.at(-1)?.explanation,
  }
}

/** One entry per verdict and evidence (explain/root-cause-groups.ts), its steps in step order. */
function sameCause(ex: Pick<Explanation, 'rootCauses' | 'steps'>): {verdict: Verdict; labels: string[]; summary: string; advice?: string; ms: number}[] {
  return groupRootCauses(ex).map((group) => ({
    verdict: group[0]!.verdict, labels: group.map((c) => c.label), summary: group[0]!.summary, advice: group.find((c) => c.advice)?.advice,
    ms: group.reduce((sum, c) => sum + c.invalidatedMs, 0),
  }))
}

function runNumber(id: string): number {
  const m = /(\d+)$/.exec(id)
  return m ? Number(m[1]) : 0
}

const stepLabelOf = (s: StepExplanation) => stepLabel({...s, name: s.instruction})
