/**
 * Attribute-by-attribute comparison of two plans, per target. Maps (args, labels, contexts,
 * extra-hosts) compare per key; lists compare as element sequences; multi-line text
 * (`dockerfile-inline`) gets a line diff. Secret-looking arg values are never shown.
 */
import {diffArrays, diffLines} from 'diff'
import {isSecretName} from '../redact/policy.js'
import {type Plan, type PlanTarget, PLAN_TARGET_KEYS, byteCompare} from './plan.js'

export type ChangeKind = 'added' | 'removed' | 'changed'

export interface TextChange {
  op: 'same' | 'added' | 'removed'
  value: string
}

export interface AttributeDiff {
  /** `tags`, `args.VERSION`, `cache-from` … */
  attribute: string
  kind: ChangeKind
  before?: unknown
  after?: unknown
  /** element-level changes for lists, line changes for multi-line strings */
  changes?: TextChange[]
}

export interface TargetDiff {
  name: string
  status: 'added' | 'removed' | 'changed'
  attributes: AttributeDiff[]
}

export interface GroupDiff {
  name: string
  status: ChangeKind
  before?: string[]
  after?: string[]
}

export interface PlanDiff {
  same: boolean
  targets: TargetDiff[]
  groups: GroupDiff[]
  unchangedTargets: string[]
}

const MAP_KEYS = new Set(['args', 'labels', 'contexts', 'extra-hosts'])
const REDACTED = '(secret: value hidden)'

function json(v: unknown): string {
  return JSON.stringify(v)
}

function render(v: unknown): string {
  return typeof v === 'string' ? v : json(v)
}

function attrDiff(attribute: string, before: unknown, after: unknown, secret = false): AttributeDiff | undefined {
  if (json(before) === json(after)) return undefined
  const kind: ChangeKind = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed'
  if (secret) return {attribute, kind, ...(before !== undefined ? {before: REDACTED} : {}), ...(after !== undefined ? {after: REDACTED} : {})}
  const d: AttributeDiff = {attribute, kind}
  if (before !== undefined) d.before = before
  if (after !== undefined) d.after = after
  if (Array.isArray(before) || Array.isArray(after)) {
    const parts = diffArrays(((before as unknown[]) ?? []).map(render), ((after as unknown[]) ?? []).map(render))
    d.changes = parts.flatMap((p) => p.value.map((value) => ({op: p.added ? ('added' as const) : p.removed ? ('removed' as const) : ('same' as const), value})))
  } else if ((typeof before === 'string' && before.includes('\n')) || (typeof after === 'string' && after.includes('\n'))) {
    const parts = diffLines(typeof before === 'string' ? before : '', typeof after === 'string' ? after : '')
    d.changes = parts.map((p) => ({op: p.added ? 'added' : p.removed ? 'removed' : 'same', value: p.value}))
  }
  return d
}

export function diffTargets(a: PlanTarget, b: PlanTarget): AttributeDiff[] {
  const out: AttributeDiff[] = []
  const keys = [...PLAN_TARGET_KEYS, ...new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !(PLAN_TARGET_KEYS as readonly string[]).includes(k)))]
  for (const k of keys) {
    const av = (a as Record<string, unknown>)[k]
    const bv = (b as Record<string, unknown>)[k]
    if (MAP_KEYS.has(k)) {
      const am = (av ?? {}) as Record<string, string>
      const bm = (bv ?? {}) as Record<string, string>
      for (const sub of [...new Set([...Object.keys(am), ...Object.keys(bm)])].sort(byteCompare)) {
        const d = attrDiff(`${k}.${sub}`, am[sub], bm[sub], k === 'args' && isSecretName(sub))
        if (d) out.push(d)
      }
      continue
    }
    const d = attrDiff(k, av, bv)
    if (d) out.push(d)
  }
  return out
}

export function diffPlan(a: Plan, b: Plan): PlanDiff {
  const targets: TargetDiff[] = []
  const unchanged: string[] = []
  for (const name of [...new Set([...Object.keys(a.target), ...Object.keys(b.target)])].sort(byteCompare)) {
    const ta = a.target[name]
    const tb = b.target[name]
    if (!ta) targets.push({name, status: 'added', attributes: diffTargets({}, tb as PlanTarget)})
    else if (!tb) targets.push({name, status: 'removed', attributes: diffTargets(ta, {})})
    else {
      const attrs = diffTargets(ta, tb)
      if (attrs.length) targets.push({name, status: 'changed', attributes: attrs})
      else unchanged.push(name)
    }
  }
  const groups: GroupDiff[] = []
  for (const name of [...new Set([...Object.keys(a.group), ...Object.keys(b.group)])].sort(byteCompare)) {
    const ga = a.group[name]?.targets
    const gb = b.group[name]?.targets
    if (json(ga) === json(gb)) continue
    groups.push({name, status: !ga ? 'added' : !gb ? 'removed' : 'changed', ...(ga ? {before: ga} : {}), ...(gb ? {after: gb} : {})})
  }
  return {same: targets.length === 0 && groups.length === 0, targets, groups, unchangedTargets: unchanged}
}
