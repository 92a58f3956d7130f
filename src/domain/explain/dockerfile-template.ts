import {parseDockerfile} from '../dockerfile/parse.js'
import {expandVariables} from '../dockerfile/expand.js'
import {instructionSource, planSteps, type PlannedStep} from '../dockerfile/steps.js'
import type {Step} from '../model/run.js'

/** A step's instruction as the Dockerfile writes it: literal text and the ARG/ENV slots BuildKit expands. */
export interface StepTemplate {
  parts: ({text: string} | {name: string})[]
  /** ARG/ENV values in scope when no build arg is passed (the Dockerfile's defaults) */
  defaults: Record<string, string | undefined>
}

const SENTINEL = '\u0000'
const plans = new Map<string, PlannedStep[] | null>()

/** The planned steps of a Dockerfile text (parsed once per text; null when it does not parse). */
function plannedSteps(text: string): PlannedStep[] | null {
  if (plans.has(text)) return plans.get(text)!
  let steps: PlannedStep[] | null
  try {
    steps = planSteps(parseDockerfile(text)).stages.flatMap((s) => s.steps)
  } catch {
    steps = null
  }
  if (plans.size > 32) plans.clear()
  plans.set(text, steps)
  return steps
}

/** The template of the Dockerfile step a run's step is (same stage and position), or undefined. */
export function stepTemplate(dockerfile: string, step: Pick<Step, 'stage' | 'index' | 'kind'>): StepTemplate | undefined {
  const planned = plannedSteps(dockerfile)?.find((p) => p.stageLabel === step.stage && p.index === step.index && p.kind === step.kind)
  if (!planned) return undefined
  const scope = new Map<string, string | undefined>()
  for (const e of planned.env) scope.set(e.name, e.value)
  for (const a of planned.args) scope.set(a.name, a.value)
  // expand with a sentinel per variable: what is left between sentinels is literal text
  const marked = expandVariables(instructionSource(planned.instruction), (name) => (scope.has(name) ? `${SENTINEL}${name}${SENTINEL}` : undefined), {mode: 'display'})
  const parts: StepTemplate['parts'] = []
  marked.split(SENTINEL).forEach((piece, i) => {
    if (i % 2 === 1) parts.push({name: piece})
    else if (piece) parts.push({text: piece})
  })
  return {parts, defaults: Object.fromEntries(scope)}
}

/**
 * The line of `dockerfile` that a run's step was built from: the planned step of the same stage,
 * position, count and kind whose text is the step's text, or expands to it with some ARG/ENV
 * values (a build arg). Undefined when none is: a Dockerfile that did not build this step places nothing.
 */
export function recordedLine(dockerfile: string, step: Pick<Step, 'stage' | 'index' | 'total' | 'kind' | 'instruction'>): number | undefined {
  const planned = plannedSteps(dockerfile)?.find((p) => p.stageLabel === step.stage && p.index === step.index && p.kind === step.kind)
  if (!planned || (step.total !== undefined && planned.total !== step.total)) return undefined
  if (planned.text === step.instruction) return planned.line
  const template = stepTemplate(dockerfile, step)
  return template && valuesIn(template, step.instruction) ? planned.line : undefined
}

/** The variable values that expand `template` into `text`, or undefined when the text is not this template. */
export function valuesIn(template: StepTemplate, text: string): Record<string, string> | undefined {
  if (!template.parts.some((p) => 'name' in p)) return undefined
  const names: string[] = []
  const source = template.parts.map((p) => {
    if ('text' in p) return p.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    names.push(p.name)
    return '([\\s\\S]*?)'
  }).join('')
  const m = new RegExp(`^${source}$`).exec(text)
  if (!m) return undefined
  const values: Record<string, string> = {}
  for (let i = 0; i < names.length; i++) {
    const v = m[i + 1]!
    if (names[i]! in values && values[names[i]!] !== v) return undefined
    values[names[i]!] = v
  }
  return values
}

export function sameTemplate(a: StepTemplate, b: StepTemplate): boolean {
  return JSON.stringify(a.parts) === JSON.stringify(b.parts)
}

const stagesByText = new Map<string, ReturnType<typeof planSteps>['stages'] | null>()

/** The stage a stage is based on (`FROM base AS app` → `base`), by their vertex-name labels; undefined for an image. */
export function baseStageOf(dockerfile: string, stage: string | undefined): string | undefined {
  let stages = stagesByText.get(dockerfile)
  if (stages === undefined) {
    try {
      stages = planSteps(parseDockerfile(dockerfile)).stages
    } catch {
      stages = null
    }
    if (stagesByText.size > 32) stagesByText.clear()
    stagesByText.set(dockerfile, stages)
  }
  const s = stages?.find((x) => x.label === stage)
  if (!s || s.base.kind !== 'stage') return undefined
  const base = stages![s.base.stage]
  return base?.label
}
