import type {InputComponent, Step} from '../model/run.js'
import {fmtArg} from './evidence-text.js'
import type {ArgChange, Evidence} from './evidence.js'

/** What the recorded inputs of two matched steps say changed, as the verdict it implies. */
export interface RecordedChange {
  verdict: 'base-image-changed' | 'arg-changed' | 'context-changed'
  evidence: Evidence
}

/**
 * Compares the recorded components (docs/architecture.md, "Recorded inputs") of a step and its
 * baseline match. A moved base image outranks changed args, which outrank changed files.
 */
export function recordedChange(s: Step, b: Step): RecordedChange | undefined {
  if (!s.stepInputs || !b.stepInputs) return undefined
  if (s.stepInputs.fingerprint === b.stepInputs.fingerprint) return undefined
  const index = (cs: InputComponent[]) => new Map(cs.map((c) => [`${c.kind}\u0000${c.name}`, c]))
  const now = index(s.stepInputs.components)
  const was = index(b.stepInputs.components)
  const files: NonNullable<Evidence['files']> = []
  const args: ArgChange[] = []
  let baseImage: Evidence['baseImage']
  for (const key of new Set([...now.keys(), ...was.keys()])) {
    const n = now.get(key)
    const o = was.get(key)
    if (n?.value === o?.value) continue
    const c = (n ?? o)!
    if (c.kind === 'file') files.push({path: c.name, change: !o ? 'added' : !n ? 'removed' : 'modified'})
    else if (c.kind === 'arg' || c.kind === 'env') {
      const secret = n?.secret || o?.secret
      args.push(secret ? {name: c.name, secret: true} : {name: c.name, old: o?.value, new: n?.value})
    } else if (c.kind === 'base-image') baseImage = {ref: c.name, old: o?.value, new: n?.value}
  }
  files.sort((x, y) => x.path.localeCompare(y.path))
  if (baseImage) return {verdict: 'base-image-changed', evidence: {summary: `${baseImage.ref}: ${baseImage.old ?? '?'} → ${baseImage.new ?? '?'}`, baseImage}}
  if (args.length) return {verdict: 'arg-changed', evidence: {summary: args.map(fmtArg).join(', '), args}}
  if (files.length) {
    return {verdict: 'context-changed', evidence: {summary: files.map((f) => `${f.change} ${f.path}`).join(', '), files}}
  }
  return undefined
}
