import type {StreamEvent} from '../../domain/events/stream-event.js'
import {parseVertexName} from '../../domain/steps/parse-vertex-name.js'
import {redactOutput} from '../../lib/redact.js'

export type LiveStepState = 'waiting' | 'running' | 'cached' | 'done' | 'error'

export interface LiveStep {
  id: string
  target?: string
  name: string
  state: LiveStepState
  started?: number
  completed?: number
  /** the last line the step printed (for running steps) */
  lastLog?: string
}

/** What the live build view shows; updated in place by `applyBuildEvent` (cheap per event). */
export interface BuildProgressModel {
  steps: Map<string, LiveStep>
  /** finished steps in the order they finished (for the scroll-back) */
  finished: LiveStep[]
  errors: string[]
}

export function createBuildProgressModel(): BuildProgressModel {
  return {steps: new Map(), finished: [], errors: []}
}

const decoder = new TextDecoder()

/** Folds one decoded event of `target` into the model. Internal vertices are not shown; names, logs and errors are redacted (the live view draws outside the presenters). */
export function applyBuildEvent(model: BuildProgressModel, event: StreamEvent, target: string | undefined): void {
  if (event.type === 'build-error') {
    model.errors.push(redactOutput(`${target ? `[${target}] ` : ''}${event.message}`))
    return
  }
  if (event.type !== 'status') return
  for (const v of event.status.vertexes ?? []) {
    const id = `${target ?? ''}\u0000${v.digest}`
    let step = model.steps.get(id)
    if (!step) {
      if (!v.name || parseVertexName(v.name).internal) continue
      step = {id, target, name: redactOutput(v.name), state: 'waiting'}
      model.steps.set(id, step)
    }
    if (v.started !== undefined && step.state === 'waiting') {
      step.state = 'running'
      step.started = v.started
    }
    if (v.completed !== undefined && (step.state === 'running' || step.state === 'waiting')) {
      step.state = v.error ? 'error' : v.cached ? 'cached' : 'done'
      step.completed = v.completed
      step.started ??= v.started
      model.finished.push(step)
    }
  }
  for (const log of event.status.logs ?? []) {
    if (!log.vertex) continue
    const step = model.steps.get(`${target ?? ''}\u0000${log.vertex}`)
    if (!step) continue
    const lines = decoder.decode(log.data).split('\n').map((l) => l.trim()).filter(Boolean)
    if (lines.length) step.lastLog = redactOutput(lines[lines.length - 1]!).slice(0, 200)
  }
}

export interface BuildProgressCounts {
  total: number
  cached: number
  done: number
  errors: number
  running: LiveStep[]
}

export function countSteps(model: BuildProgressModel): BuildProgressCounts {
  let cached = 0
  let done = 0
  let errors = 0
  const running: LiveStep[] = []
  for (const s of model.steps.values()) {
    if (s.state === 'cached') cached++
    else if (s.state === 'done') done++
    else if (s.state === 'error') errors++
    else if (s.state === 'running') running.push(s)
  }
  return {total: model.steps.size, cached, done, errors, running}
}
