import {createHash} from 'node:crypto'
import {hashSecret, isSecretArg} from '../redact/policy.js'
import type {InputComponent, Run, StepInputs} from '../model/run.js'
import {stepSlot} from '../model/step-identity.js'
import type {PlannedStep, StepPlan} from '../dockerfile/steps.js'
import {resolveSources, type ContextEntry} from './sources.js'

export interface ComputeInputsOptions {
  plan: StepPlan
  /** Dockerfile path as recorded in StepInputs */
  dockerfile?: string
  /** the platform the steps run for (`linux/amd64`): a component of every step */
  platform: string
  /** the platform as it appears in the vertex names (multi-platform builds only) */
  namePlatform?: string
  /** bake target of these steps (part of the step key) */
  target?: string
  /** the context entries sent to the builder; undefined when the context was not seen */
  context?: readonly ContextEntry[]
  /** resolved base images: image ref as written (expanded) → digest */
  baseImages: Record<string, string>
  /** per-index random salt for secret-looking values */
  secretSalt: string
  /** only these stages (default: the stages the target needs) */
  stages?: number[]
}

/** `secret:<hex>`: a salted hash, so a change is visible without the value ever being stored. */
export function secretValue(salt: string, value: string): string {
  return hashSecret(value, salt)
}

export function fingerprintOf(components: readonly InputComponent[], parents: readonly string[]): string {
  const canonical = JSON.stringify({
    c: components.map((c) => [c.kind, c.name, c.value]),
    p: parents,
  })
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`
}

const REMOTE = /^(https?:\/\/|git@|git:\/\/)/

function copySources(step: PlannedStep): string[] {
  const words = step.instruction.words.filter((w) => !/^<<-?/.test(w))
  if (step.instruction.args.includes('<<')) return []
  return words.slice(0, -1)
}

/** Replaces the values of secret-looking ARG/ENV in a text with `***`. */
function maskSecrets(text: string, step: PlannedStep): string {
  let out = text
  for (const nv of [...step.args, ...step.env]) {
    if (nv.value && nv.value.length >= 3 && isSecretArg(nv.name, nv.value)) out = out.split(nv.value).join('***')
  }
  return out
}

/**
 * The recorded inputs of every step of the plan (docs/architecture.md, "Recorded inputs"): the plaintext components that decide
 * BuildKit's cache key, and a fingerprint chained through the parent steps. Keys are `stepSlot`s
 * (target|platform|stage|index|kind) so they can be attached to the steps of a folded Run.
 */
export function computeStepInputs(options: ComputeInputsOptions): Map<string, StepInputs> {
  const {plan, secretSalt} = options
  const wanted = new Set(options.stages ?? plan.needed)
  const tips = new Map<number, string | undefined>()
  const out = new Map<string, StepInputs>()

  const secretOr = (kind: 'arg' | 'env', name: string, value: string): InputComponent =>
    isSecretArg(name, value) ? {kind, name, value: secretValue(secretSalt, value), secret: true} : {kind, name, value}

  const imageDigest = (ref: string): string => {
    const pinned = /@(sha256:[0-9a-f]{64})$/.exec(ref)
    return options.baseImages[ref] ?? pinned?.[1] ?? 'unresolved'
  }

  for (const stage of plan.stages) {
    let parent: string | undefined = stage.base.kind === 'stage' ? tips.get(stage.base.stage) : undefined
    for (const step of stage.steps) {
      const components: InputComponent[] = [
        {kind: 'instruction', name: '', value: maskSecrets(step.text, step)},
        {kind: 'platform', name: '', value: options.platform},
      ]
      const parents: string[] = parent ? [parent] : []
      switch (step.kind) {
        case 'FROM':
          if (stage.base.kind === 'image') components.push({kind: 'base-image', name: stage.base.ref, value: imageDigest(stage.base.ref)})
          break
        case 'RUN':
          for (const a of step.args) if (a.value !== undefined) components.push(secretOr('arg', a.name, a.value))
          for (const e of step.env) if (e.value !== undefined) components.push(secretOr('env', e.name, e.value))
          if (step.user) components.push({kind: 'instruction', name: 'USER', value: step.user})
          for (const f of step.instruction.flags) {
            if (f.name.toLowerCase() === 'mount') components.push({kind: 'mount', name: '', value: f.value ?? ''})
          }
          break
        case 'COPY':
        case 'ADD':
          if (step.sources.length === 0) {
            for (const src of copySources(step)) {
              if (REMOTE.test(src)) {
                components.push({kind: 'file', name: src, value: 'remote'})
                continue
              }
              if (!options.context) continue
              const {matched, unmatched} = resolveSources(options.context, [src])
              for (const entry of matched) components.push({kind: 'file', name: entry.path, value: entry.hash})
              for (const missing of unmatched) components.push({kind: 'file', name: missing, value: 'missing'})
            }
          }
          break
        default:
          break
      }
      for (const src of step.sources) {
        if (src.kind === 'stage') {
          const source = plan.stages[src.stage]!
          const fp = tips.get(src.stage) ?? 'unknown'
          components.push({kind: 'from-stage', name: source.name ?? `stage-${src.stage}`, value: fp})
        } else components.push({kind: 'base-image', name: src.ref, value: imageDigest(src.ref)})
      }
      // the same file may be named by two sources: keep the first
      const seen = new Set<string>()
      const unique = components.filter((c) => {
        const k = `${c.kind}\0${c.name}\0${c.value}`
        if (seen.has(k)) return false
        seen.add(k)
        return true
      })
      const fingerprint = fingerprintOf(unique, parents)
      parent = fingerprint
      if (wanted.has(stage.index)) {
        const key = stepSlot({target: options.target, platform: options.namePlatform, stage: step.stageLabel, index: step.index, kind: step.kind})
        out.set(key, {components: unique, fingerprint, dockerfile: options.dockerfile, line: step.line})
      }
    }
    tips.set(stage.index, parent)
  }
  return out
}

/**
 * Attaches computed inputs to the matching steps of a run (by step slot; a step whose name carries no
 * platform or target also matches inputs computed without one). Returns a new Run.
 */
export function attachInputs(run: Run, inputs: ReadonlyMap<string, StepInputs>): Run {
  const steps = run.steps.map((step) => {
    if (step.internal || step.index === undefined) return step
    const candidates = [
      stepSlot(step),
      stepSlot({...step, platform: undefined}),
      stepSlot({...step, target: undefined}),
      stepSlot({...step, target: undefined, platform: undefined}),
    ]
    for (const key of candidates) {
      const found = inputs.get(key)
      if (found) return {...step, stepInputs: found}
    }
    return step
  })
  return {...run, steps}
}
