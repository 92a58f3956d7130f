import {fromDigest} from '../explain/run-facts.js'
import {diffPlan} from '../bake/plan-diff.js'
import type {Plan} from '../bake/plan.js'
import type {Run, Step} from '../model/run.js'
import {stepLabel, stepPlace, stepSlot} from '../model/step-identity.js'
import {sortSteps} from '../model/step-order.js'
import {instructionEvidence} from '../explain/evidence-text.js'
import {computeTotals} from '../model/totals.js'
import {explainRun} from '../explain/explain-run.js'
import {matchSteps, parseFrom} from '../explain/match-steps.js'
import {definitionInputChanges} from '../provenance/compare.js'
import type {InputChange, PlanChange, RunDiff, StepTransition, TimingRow} from './types.js'

/** The plan diff of two recorded plans, flattened to one row per target attribute. */
export function planChanges(a: Plan, b: Plan): PlanChange[] {
  const show = (v: unknown) => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v))
  return diffPlan(a, b).targets.flatMap((t) =>
    t.status !== 'changed'
      ? [{target: t.name, attribute: '(target)', old: t.status === 'removed' ? 'present' : undefined, new: t.status === 'added' ? 'present' : undefined}]
      : t.attributes.map((attr) => ({target: t.name, attribute: attr.attribute, old: show(attr.before), new: show(attr.after)})),
  )
}

const state = (s: Step): 'hit' | 'miss' => (s.cached && !s.servedInRun ? 'hit' : 'miss')

/**
 * `bakedoctor diff A B`: plan, inputs, steps and timing of two runs, plus the explanation of B's
 * misses against A (the verdicts of every hit→miss transition).
 */
export function diffRuns(a: Run, b: Run, plans: {a?: Plan; b?: Plan} = {}): RunDiff {
  const explanation = explainRun(b, a)
  const matches = matchSteps(b.steps, a.steps)
  const verdicts = new Map(explanation.steps.map((s) => [s.key, s]))
  const steps: StepTransition[] = []
  const inputs: InputChange[] = []
  const matchedA = new Set<Step>()
  const added: string[] = []
  const timing: TimingRow[] = []
  // the one step order (model/step-order.ts); removed steps follow in the earlier run's order
  for (const s of sortSteps(b)) {
    if (!s.cacheable) continue
    const m = matches.get(s)
    const key = stepSlot(s)
    if (!m) {
      added.push(stepLabel(s))
      steps.push({key, label: stepLabel(s), from: 'absent', to: state(s), verdict: verdicts.get(key)?.verdict, summary: verdicts.get(key)?.evidence?.summary})
      timing.push({key, label: stepLabel(s), newMs: s.durationMs})
      continue
    }
    matchedA.add(m.baseline)
    timing.push({key, label: stepLabel(s), oldMs: m.baseline.durationMs, newMs: s.durationMs})
    const from = state(m.baseline)
    const to = state(s)
    if (from !== to) steps.push({key, label: stepLabel(s), from, to, verdict: verdicts.get(key)?.verdict, summary: verdicts.get(key)?.evidence?.summary})
    const place = stepPlace(s)
    if (m.kind === 'changed') inputs.push({key, place, kind: 'instruction', name: '', old: m.baseline.instruction, new: s.instruction, diff: instructionEvidence(m.baseline.instruction, s.instruction).diff})
    const ca = new Map((m.baseline.stepInputs?.components ?? []).map((c) => [`${c.kind}\u0000${c.name}`, c]))
    const cb = new Map((s.stepInputs?.components ?? []).map((c) => [`${c.kind}\u0000${c.name}`, c]))
    if (m.baseline.stepInputs && s.stepInputs) {
      for (const k of new Set([...ca.keys(), ...cb.keys()])) {
        const o = ca.get(k)
        const n = cb.get(k)
        if (o?.value === n?.value) continue
        const c = (n ?? o)!
        if (c.kind === 'instruction') continue
        const secret = o?.secret || n?.secret
        inputs.push({key, place, kind: c.kind, name: c.name, old: secret ? (o ? 'secret' : undefined) : o?.value, new: secret ? (n ? 'changed' : undefined) : n?.value})
      }
    }
    // the builder's own record (provenance): every field of the step's definition that changed, hit or miss
    const was = m.baseline.provenance
    const now = s.provenance
    if (was && now && was.hash !== now.hash) for (const c of definitionInputChanges(was.definition, now.definition)) inputs.push({key, place, ...c})
  }
  const removed = sortSteps(a).filter((s) => s.cacheable && s.index !== undefined && !matchedA.has(s)).map((s) => stepLabel(s))
  for (const r of removed) steps.push({key: r, label: r, from: 'miss', to: 'absent'})

  // base images: by (target, platform, ref)
  const fromsOf = (run: Run) => {
    const m = new Map<string, {ref: string; platform?: string; digest?: string}>()
    for (const s of run.steps) {
      if (s.kind !== 'FROM') continue
      const f = parseFrom(s.instruction)
      m.set(`${s.platform ?? ''}|${f.ref}`, {ref: f.ref, platform: s.platform, digest: fromDigest(s)})
    }
    return m
  }
  const fa = fromsOf(a)
  const fb = fromsOf(b)
  const baseImages: RunDiff['baseImages'] = []
  for (const k of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const o = fa.get(k)
    const n = fb.get(k)
    // a ref only one run used is a change too (a FROM switched to another image, e.g. through an ARG)
    if (!o || !n || o.digest !== n.digest) baseImages.push({ref: (n ?? o)!.ref, platform: (n ?? o)!.platform, old: o?.digest, new: n?.digest})
  }
  // build args from metadata files
  for (const t of new Set([...Object.keys(a.metadata?.buildArgs ?? {}), ...Object.keys(b.metadata?.buildArgs ?? {})])) {
    const oa = a.metadata?.buildArgs?.[t] ?? {}
    const ob = b.metadata?.buildArgs?.[t] ?? {}
    for (const name of new Set([...Object.keys(oa), ...Object.keys(ob)])) {
      if (oa[name] === ob[name]) continue
      const secret = oa[name]?.startsWith('secret:') || ob[name]?.startsWith('secret:')
      inputs.push({key: `${t} build-arg`, place: `${t} build-arg`, kind: 'arg', name, old: secret ? 'secret' : oa[name], new: secret ? 'changed' : ob[name]})
    }
  }

  // slowest first (a stable sort: equal times stay in step order)
  timing.sort((x, y) => (y.newMs ?? 0) - (x.newMs ?? 0))
  const total = (run: Run) => run.durationMs
  const summary = (run: Run) => ({id: run.id, createdAt: run.createdAt, targets: run.targets, platforms: run.platforms, durationMs: run.durationMs, hitRate: computeTotals(run.steps).hitRate})
  const plan = plans.a && plans.b ? planChanges(plans.a, plans.b) : undefined
  return {
    a: summary(a),
    b: summary(b),
    plan,
    planNote: plan ? undefined : 'no plan recorded for one or both runs (runs recorded by `ingest` carry none; `build` records it)',
    inputs,
    baseImages,
    steps,
    added,
    removed,
    timing: {slowest: timing.slice(0, 10), totalOldMs: total(a), totalNewMs: total(b)},
    explanation,
  }
}
