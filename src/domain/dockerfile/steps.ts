import {InputError} from '../errors.js'
import {expandVariables, type Lookup} from './expand.js'
import type {DockerfileInstruction, ParsedDockerfile} from './parse.js'

/** Instructions that become build-step vertices (events.md §1.4: they count towards `total`). */
export type StepInstructionKind = 'FROM' | 'RUN' | 'COPY' | 'ADD' | 'WORKDIR'
const STEP_KEYWORDS = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR'])

export type StageBase = {kind: 'image'; ref: string} | {kind: 'stage'; stage: number} | {kind: 'scratch'}

export interface NameValue {
  name: string
  /** undefined: declared without a value (BuildKit leaves it out of the RUN environment) */
  value: string | undefined
}

export interface PlannedStep {
  /** index of the stage among the FROMs */
  stage: number
  /** the stage part of the vertex name: stage name, `stage-N`, or undefined for a single-stage Dockerfile */
  stageLabel?: string
  /** 1-based position in the stage, as in `[build 2/5]` */
  index: number
  total: number
  kind: StepInstructionKind
  /** instruction text with variables expanded as the vertex name shows them, e.g. `RUN echo "hello"` */
  text: string
  /** 1-based Dockerfile line */
  line: number
  instruction: DockerfileInstruction
  /** ARGs declared in this stage before this instruction, in declaration order (docs/architecture.md, "Recorded inputs") */
  args: NameValue[]
  /** ENV in effect (from this stage and the stages it is based on; base-image ENV is covered by its digest) */
  env: NameValue[]
  user?: string
  workdir?: string
  /** `--from` of COPY/ADD or `from=` of RUN mounts, resolved */
  sources: Array<{kind: 'stage'; stage: number} | {kind: 'image'; ref: string}>
}

export interface PlannedStage {
  index: number
  name?: string
  label?: string
  base: StageBase
  steps: PlannedStep[]
  env: Map<string, string>
}

export interface StepPlan {
  stages: PlannedStage[]
  /** the stage built for `target` (the last stage by default) */
  targetStage: number
  /** stages the target needs, in Dockerfile order (BuildKit builds only these) */
  needed: number[]
  /** external images referenced by FROM or `--from`, expanded */
  images: string[]
}

export interface PlanStepsOptions {
  buildArgs?: Record<string, string>
  /** stage name (`--target`) */
  target?: string
  /** target platform, `linux/amd64` */
  platform?: string
  /** build platform (defaults to the target platform) */
  buildPlatform?: string
  file?: string
}

function platformArgs(prefix: 'TARGET' | 'BUILD', platform: string | undefined): Record<string, string> {
  if (!platform) return {}
  const [os = '', arch = '', variant = ''] = platform.split('/')
  return {[`${prefix}PLATFORM`]: platform, [`${prefix}OS`]: os, [`${prefix}ARCH`]: arch, [`${prefix}VARIANT`]: variant}
}

function flag(instruction: DockerfileInstruction, name: string): string | undefined {
  const f = instruction.flags.find((x) => x.name.toLowerCase() === name)
  return f ? (f.value ?? '') : undefined
}

/** The instruction as text, flags first (the way BuildKit prints it), before expansion. */
export function instructionSource(instruction: DockerfileInstruction): string {
  const flags = instruction.flags.map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`))
  return [instruction.keyword, ...flags, instruction.args].filter((x) => x !== '').join(' ')
}

/**
 * Maps a parsed Dockerfile to the steps BuildKit will name (events.md §1.4) with the ARG/ENV values
 * in effect at each of them (cache.md §1.4.1). Pure.
 */
export function planSteps(parsed: ParsedDockerfile, options: PlanStepsOptions = {}): StepPlan {
  const at = {line: 0}
  try {
    return planStepsAt(parsed, options, at)
  } catch (error) {
    // an expansion over its limits knows no position: it is the instruction being planned
    if (error instanceof InputError && !error.position && at.line) {
      throw new InputError(error.message, {file: error.file ?? options.file ?? 'Dockerfile', position: {line: at.line}, fix: error.fix})
    }
    throw error
  }
}

function planStepsAt(parsed: ParsedDockerfile, options: PlanStepsOptions, at: {line: number}): StepPlan {
  const buildArgs = options.buildArgs ?? {}
  const file = options.file ?? 'Dockerfile'
  const escape = parsed.escape
  const automatic = {...platformArgs('TARGET', options.platform), ...platformArgs('BUILD', options.buildPlatform ?? options.platform)}

  // global scope: ARGs before the first FROM, overridable by build args
  const globals = new Map<string, string | undefined>(Object.entries(automatic))
  for (const instruction of parsed.globalArgs) {
    at.line = instruction.line
    for (const p of instruction.properties) {
      const lookup: Lookup = (n) => globals.get(n)
      const value = buildArgs[p.name] ?? (p.raw === null ? undefined : expandVariables(p.raw, lookup, {mode: 'word', escape}))
      globals.set(p.name, value)
    }
  }

  const stageByName = new Map<string, number>()
  const stages: PlannedStage[] = []
  const images = new Set<string>()
  const single = parsed.stages.length === 1

  const resolveFrom = (ref: string, before: number): {kind: 'stage'; stage: number} | {kind: 'image'; ref: string} => {
    const lower = ref.toLowerCase()
    const named = stageByName.get(lower)
    if (named !== undefined && named < before) return {kind: 'stage', stage: named}
    if (/^\d+$/.test(ref) && Number(ref) < before) return {kind: 'stage', stage: Number(ref)}
    images.add(ref)
    return {kind: 'image', ref}
  }

  for (const stage of parsed.stages) {
    at.line = stage.from.line
    const image = expandVariables(stage.from.image, (n) => globals.get(n), {mode: 'word', escape})
    let base: StageBase
    const lower = image.toLowerCase()
    if (lower === 'scratch') base = {kind: 'scratch'}
    else {
      const from = resolveFrom(image, stage.index)
      base = from.kind === 'stage' ? {kind: 'stage', stage: from.stage} : {kind: 'image', ref: from.ref}
    }
    if (stage.name) stageByName.set(stage.name, stage.index)

    const env = new Map<string, string>(base.kind === 'stage' ? stages[base.stage]!.env : [])
    const args = new Map<string, string | undefined>()
    const lookup: Lookup = (n) => (env.has(n) ? env.get(n) : args.get(n))
    let user: string | undefined
    let workdir: string | undefined

    const label = single ? undefined : (stage.name ?? `stage-${stage.index}`)
    const total = (base.kind === 'image' ? 1 : 0) + stage.instructions.filter((i) => STEP_KEYWORDS.has(i.keyword)).length
    const steps: PlannedStep[] = []
    let index = 0
    if (base.kind === 'image') {
      index++
      steps.push({
        stage: stage.index,
        stageLabel: label,
        index,
        total,
        kind: 'FROM',
        text: `FROM ${image}`,
        line: stage.from.line,
        instruction: stage.from,
        args: [],
        env: [],
        sources: [],
      })
    }

    for (const instruction of stage.instructions) {
      at.line = instruction.line
      switch (instruction.keyword) {
        case 'ARG':
          for (const p of instruction.properties) {
            let value: string | undefined
            if (Object.hasOwn(buildArgs, p.name)) value = buildArgs[p.name]
            else if (p.raw !== null) value = expandVariables(p.raw, lookup, {mode: 'word', escape})
            else value = globals.get(p.name) ?? automatic[p.name]
            args.set(p.name, value)
          }
          continue
        case 'ENV':
          for (const p of instruction.properties) {
            env.set(p.name, expandVariables(p.raw ?? '', lookup, {mode: 'word', escape}))
          }
          continue
        case 'USER':
          user = expandVariables(instruction.args, lookup, {mode: 'word', escape})
          continue
        default:
          break
      }
      if (!STEP_KEYWORDS.has(instruction.keyword)) continue
      index++
      const sources: PlannedStep['sources'] = []
      const fromFlag = flag(instruction, 'from')
      if (fromFlag !== undefined && (instruction.keyword === 'COPY' || instruction.keyword === 'ADD')) {
        const ref = expandVariables(fromFlag, lookup, {mode: 'word', escape})
        if (ref === '') throw new InputError(`${instruction.keyword} --from needs a stage or image`, {file, position: {line: instruction.line}, fix: `write ${instruction.keyword} --from=<stage name, stage index or image> <src> <dest>`})
        sources.push(resolveFrom(ref, stage.index))
      }
      if (instruction.keyword === 'RUN') {
        for (const f of instruction.flags) {
          if (f.name.toLowerCase() !== 'mount' || !f.value) continue
          const m = /(?:^|,)from=([^,]+)/.exec(f.value)
          if (m) sources.push(resolveFrom(expandVariables(m[1]!, lookup, {mode: 'word', escape}), stage.index))
        }
      }
      const text = expandVariables(instructionSource(instruction), lookup, {mode: 'display', escape})
      steps.push({
        stage: stage.index,
        stageLabel: label,
        index,
        total,
        kind: instruction.keyword as StepInstructionKind,
        text,
        line: instruction.line,
        instruction,
        args: [...args].map(([name, value]) => ({name, value})),
        env: [...env].map(([name, value]) => ({name, value})),
        user,
        workdir,
        sources,
      })
      if (instruction.keyword === 'WORKDIR') {
        const dir = expandVariables(instruction.args, lookup, {mode: 'word', escape})
        workdir = dir.startsWith('/') || !workdir ? dir : `${workdir.replace(/\/$/, '')}/${dir}`
      }
    }
    stages.push({index: stage.index, name: stage.name, label, base, steps, env})
  }

  let targetStage = stages.length - 1
  if (options.target) {
    const found = stageByName.get(options.target.toLowerCase())
    if (found === undefined) {
      throw new InputError(`target stage "${options.target}" not found in the Dockerfile`, {
        file,
        fix: `use one of: ${[...stageByName.keys()].join(', ') || '(no named stages)'}`,
      })
    }
    targetStage = found
  }

  // the stages the target needs, walked with a list (a chain of thousands of stages must not overflow the stack)
  const needed = new Set<number>()
  const todo = [targetStage]
  for (let i = todo.pop(); i !== undefined; i = todo.pop()) {
    if (needed.has(i)) continue
    needed.add(i)
    const s = stages[i]!
    if (s.base.kind === 'stage') todo.push(s.base.stage)
    for (const step of s.steps) for (const src of step.sources) if (src.kind === 'stage') todo.push(src.stage)
  }

  return {stages, targetStage, needed: [...needed].sort((a, b) => a - b), images: [...images]}
}
