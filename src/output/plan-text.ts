/**
 * Text presenters for `bakedoctor plan` and `plan diff`.
 */
import {shortDigest} from '../domain/oci/digest.js'
import {MARKER, isSecretName} from '../domain/redact/policy.js'
import {type Plan, type PlanTarget, PLAN_TARGET_KEYS, byteCompare} from '../domain/bake/plan.js'
import type {AttributeDiff, PlanDiff} from '../domain/bake/plan-diff.js'

function entry(e: Record<string, unknown>): string {
  const {type, ...rest} = e
  return [`type=${String(type)}`, ...Object.keys(rest).sort(byteCompare).map((k) => `${k}=${String(rest[k])}`)].join(',')
}

function value(key: string, v: unknown): string[] {
  if (v === undefined) return []
  if (key === 'args' || key === 'labels' || key === 'contexts' || key === 'extra-hosts') {
    const m = v as Record<string, string>
    return Object.keys(m)
      .sort(byteCompare)
      .map((k) => `${k}=${key === 'args' && isSecretName(k) && !MARKER.test(m[k] ?? '') ? '***' : m[k]}`)
  }
  if (key === 'cache-from' || key === 'cache-to' || key === 'output' || key === 'attest') return (v as Record<string, unknown>[]).map(entry)
  if (key === 'secret') return (v as {id?: string; src?: string; env?: string}[]).map((s) => [s.id && `id=${s.id}`, s.src && `src=${s.src}`, s.env && `env=${s.env}`].filter(Boolean).join(','))
  if (key === 'ssh') return (v as {id: string; paths?: string[]}[]).map((s) => (s.paths?.length ? `${s.id}=${s.paths.join(',')}` : s.id))
  if (key === 'dockerfile-inline') return String(v).replace(/\n$/, '').split('\n')
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
  if (typeof v === 'object' && v !== null) return Object.entries(v).map(([k, x]) => `${k}=${String(x)}`)
  return [String(v)]
}

/** One target's attributes, aligned, multi-valued attributes one value per line. */
export function renderPlanTarget(name: string, t: PlanTarget): string {
  const lines = [`target ${name}`]
  for (const key of PLAN_TARGET_KEYS) {
    const vals = value(key, t[key])
    vals.forEach((v, i) => lines.push(`  ${(i === 0 ? key : '').padEnd(18)}${v}`))
  }
  return lines.join('\n')
}

/**
 * @example
 * plan from builtin resolver (docker-bake.hcl)  sha256:3f2a…
 * group default: api, worker
 *
 * target api
 *   context           .
 *   dockerfile        services/api/Dockerfile
 */
export function renderPlan(result: {plan: Plan; source: string; files: string[]; hash: string}): string {
  const out = [`plan from ${result.source === 'buildx' ? 'docker buildx bake --print' : 'builtin resolver'} (${result.files.join(', ') || 'no files'})  ${result.hash}`]
  for (const name of Object.keys(result.plan.group).sort(byteCompare)) {
    const g = result.plan.group[name]
    if (g) out.push(`group ${name}: ${g.targets.join(', ')}${g.description ? `  (${g.description})` : ''}`)
  }
  for (const name of Object.keys(result.plan.target).sort(byteCompare)) out.push('', renderPlanTarget(name, result.plan.target[name] as PlanTarget))
  return out.join('\n')
}

function show(v: unknown): string {
  if (v === undefined) return '(unset)'
  if (typeof v === 'string') return v
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? entry(x as Record<string, unknown>) : String(x))).join(' ')
  return JSON.stringify(v)
}

function renderAttr(d: AttributeDiff): string[] {
  if (d.changes && d.changes.some((c) => c.op !== 'same')) {
    const lines = [`  ~ ${d.attribute}`]
    for (const c of d.changes) {
      const mark = c.op === 'added' ? '+' : c.op === 'removed' ? '-' : ' '
      for (const l of c.value.replace(/\n$/, '').split('\n')) lines.push(`      ${mark} ${l}`)
    }
    return lines
  }
  if (d.kind === 'added') return [`  + ${d.attribute}: ${show(d.after)}`]
  if (d.kind === 'removed') return [`  - ${d.attribute}: ${show(d.before)}`]
  return [`  ~ ${d.attribute}: ${show(d.before)} → ${show(d.after)}`]
}

/**
 * @example
 * plan diff: docker-bake.hcl (sha256:1a…) → HEAD (sha256:9c…)
 * target api: changed
 *   ~ args.VERSION: 1.0 → 1.1
 */
export function renderPlanDiff(result: {left: {label: string; hash: string}; right: {label: string; hash: string}; diff: PlanDiff}): string {
  const out = [`plan diff: ${result.left.label} (${shortDigest(result.left.hash)}) → ${result.right.label} (${shortDigest(result.right.hash)})`]
  if (result.diff.same) {
    out.push('plans are identical')
    return out.join('\n')
  }
  for (const g of result.diff.groups) out.push(`group ${g.name}: ${g.status}${g.before ? ` [${g.before.join(', ')}]` : ''}${g.after ? ` → [${g.after.join(', ')}]` : ''}`)
  for (const t of result.diff.targets) {
    out.push(`target ${t.name}: ${t.status}`)
    for (const a of t.attributes) out.push(...renderAttr(a))
  }
  if (result.diff.unchangedTargets.length) out.push(`unchanged: ${result.diff.unchangedTargets.join(', ')}`)
  return out.join('\n')
}
