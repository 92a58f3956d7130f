import {diffArrays} from 'diff/lib/diff/array.js'
import type {Step} from '../model/run.js'
import {normalizeInstruction} from '../model/step-identity.js'

export type MatchKind = 'same' | 'changed'

export interface StepMatch {
  baseline: Step
  kind: MatchKind
}

const groupKey = (s: Step) => `${s.target ?? ''}\u0000${s.platform ?? ''}\u0000${s.stage ?? ''}`

/**
 * Matches each Dockerfile step of `run` to a step of `baseline` (docs/architecture.md, "Steps, identity and the hit rate"): per (target, platform,
 * stage), the two instruction sequences are aligned with the `diff` package, so an inserted or
 * removed step shifts nothing; a removed+added pair at the same place with the same keyword is the
 * same step with changed text. Never by vertex digest.
 */
export function matchSteps(run: readonly Step[], baseline: readonly Step[]): Map<Step, StepMatch> {
  const groupsOf = (steps: readonly Step[]) => {
    const groups = new Map<string, Step[]>()
    for (const s of steps) {
      // FROM is left out: BuildKit announces a FROM shared by several stages under one stage's name
      // only, not always the same one, so it would shift the alignment (base images are compared by
      // ref in explain-run instead)
      if (s.internal || s.index === undefined || s.kind === 'FROM') continue
      let g = groups.get(groupKey(s))
      if (!g) groups.set(groupKey(s), (g = []))
      g.push(s)
    }
    for (const g of groups.values()) g.sort((a, b) => a.index! - b.index!)
    return groups
  }
  const runGroups = groupsOf(run)
  const baseGroups = groupsOf(baseline)
  const out = new Map<Step, StepMatch>()
  for (const [key, steps] of runGroups) {
    const base = baseGroups.get(key)
    if (!base) continue
    const oldTexts = base.map((s) => matchText(s))
    const newTexts = steps.map((s) => matchText(s))
    if (sameTexts(oldTexts, newTexts)) {
      // what the diff would say of equal sequences (one unchanged run), without running it: most
      // groups of a rebuilt bake are unchanged, and the diff cost ~0.5 M instructions per group
      for (let k = 0; k < steps.length; k++) out.set(steps[k]!, {baseline: base[k]!, kind: 'same'})
      continue
    }
    const changes = diffArrays(oldTexts, newTexts)
    let oi = 0
    let ni = 0
    for (let c = 0; c < changes.length; c++) {
      const change = changes[c]!
      const count = change.count ?? change.value.length
      if (!change.added && !change.removed) {
        for (let k = 0; k < count; k++) out.set(steps[ni + k]!, {baseline: base[oi + k]!, kind: 'same'})
        oi += count
        ni += count
      } else if (change.removed) {
        const next = changes[c + 1]
        if (next?.added) {
          // replacement: the same step with changed text — same index and keyword first, then
          // the keyword in order
          const addCount = next.count ?? next.value.length
          const removed = base.slice(oi, oi + count)
          const taken = new Set<Step>()
          const added = steps.slice(ni, ni + addCount)
          for (const n of added) {
            const o = removed.find((r) => !taken.has(r) && r.kind === n.kind && r.index === n.index)
            if (o) {
              taken.add(o)
              out.set(n, {baseline: o, kind: 'changed'})
            }
          }
          for (const n of added) {
            if (out.has(n)) continue
            const o = removed.find((r) => !taken.has(r) && r.kind === n.kind)
            if (o) {
              taken.add(o)
              out.set(n, {baseline: o, kind: 'changed'})
            }
          }
          oi += count
          ni += addCount
          c++
        } else oi += count
      } else {
        ni += count
      }
    }
  }
  return out
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * FROM text carries the resolved digest; compare FROM by its ref only so a moved base image is a
 * changed digest, not a changed instruction.
 */
function matchText(s: Step): string {
  const text = normalizeInstruction(s.instruction)
  return s.kind === 'FROM' ? text.replace(/@sha256:[0-9a-f]+/, '') : text
}

/** `FROM ref@sha256:…` → {ref, digest} */
export function parseFrom(instruction: string): {ref: string; digest?: string} {
  const rest = instruction.replace(/^FROM\s+/, '').split(/\s+/)[0] ?? ''
  const at = rest.indexOf('@')
  return at >= 0 ? {ref: rest.slice(0, at), digest: rest.slice(at + 1)} : {ref: rest}
}
