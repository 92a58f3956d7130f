import {parseDockerfile} from '../dockerfile/parse.js'
import type {Run, Step} from './run.js'

/**
 * The one order of steps in everything a user reads (docs/architecture.md, "Steps, identity and the
 * hit rate"): target, platform, the stage's place in the Dockerfile, the step's index in its stage.
 *
 * BuildKit reports vertices in the order it schedules them, not in Dockerfile order (the real
 * captures start with `stage-2` or `build` as often as with `deps`), and a stage's name says nothing
 * of its place. A target's stage order is taken from the best evidence the run carries, in this order:
 * 1. `dockerfile-lines`: the Dockerfile line of the stage's steps (provenance's source map, or the
 *    line recorded with the step's inputs by `build`): stages are contiguous runs of lines, so the
 *    first line of any instruction but FROM places its stage (a FROM's base image op is shared by
 *    every stage on that image and carries another stage's line);
 * 2. `recorded-dockerfile`: the FROM lines of the Dockerfile recorded with the run (`ingest --dockerfile`),
 *    when it names every stage of the target;
 * 3. `build-graph`: the run's own graph: a stage whose steps another stage reads (`COPY --from`,
 *    `FROM stage`) comes first — the Dockerfile reference has `--from` name a previous stage — and
 *    stages the graph leaves unordered keep the order BuildKit first reported them in.
 * A source is used for a target only when it places every stage of that target.
 */
export type StageOrderSource = 'dockerfile-lines' | 'recorded-dockerfile' | 'build-graph'

export interface StepOrder {
  /** for `Array.prototype.sort`: target, platform, stage order, index; plumbing after the stages, as reported */
  compare: (a: Step, b: Step) => number
  /** per target (`''` for none): the evidence its stage order came from */
  sources: ReadonlyMap<string, StageOrderSource>
}

/** `localeCompare`'s order, without building a collator per comparison */
const collator = new Intl.Collator()

const isStageStep = (s: Step) => !s.internal && s.index !== undefined
const stageKey = (s: Step) => s.stage ?? ''
const targetKey = (s: Pick<Step, 'target'>) => s.target ?? ''

/** The order of `run`'s steps (see StageOrderSource for where a stage's place comes from). */
export function stepOrder(run: Pick<Run, 'steps' | 'metadata'>): StepOrder {
  const position = new Map<Step, number>()
  run.steps.forEach((s, i) => position.set(s, i))
  const stagesByTarget = new Map<string, Map<string, Step[]>>()
  for (const s of run.steps) {
    if (!isStageStep(s)) continue
    let stages = stagesByTarget.get(targetKey(s))
    if (!stages) stagesByTarget.set(targetKey(s), (stages = new Map()))
    let l = stages.get(stageKey(s))
    if (!l) stages.set(stageKey(s), (l = []))
    l.push(s)
  }
  const recorded = recordedStageNames(run)
  const rank = new Map<string, Map<string, number>>()
  const sources = new Map<string, StageOrderSource>()
  for (const [target, stages] of stagesByTarget) {
    const byLines = rankByLines(stages)
    const byRecorded = byLines ? undefined : rankByRecorded(stages, recorded)
    const ordered = byLines ?? byRecorded ?? rankByGraph(run.steps, stages, position)
    rank.set(target, new Map(ordered.map((stage, i) => [stage, i])))
    sources.set(target, byLines ? 'dockerfile-lines' : byRecorded ? 'recorded-dockerfile' : 'build-graph')
  }
  const stageRank = (s: Step) => (isStageStep(s) ? (rank.get(targetKey(s))?.get(stageKey(s)) ?? Infinity) : Infinity)
  const exactCompare = (a: Step, b: Step): number =>
    collator.compare(a.target ?? '', b.target ?? '') ||
    collator.compare(a.platform ?? '', b.platform ?? '') ||
    stageRank(a) - stageRank(b) ||
    (isStageStep(a) && isStageStep(b) ? a.index! - b.index! : 0) ||
    (position.get(a) ?? Infinity) - (position.get(b) ?? Infinity) ||
    0
  // the same order with each of the run's steps placed once, not per comparison (a sort of n steps
  // compares ~n log n times, and the collator is the slow part): targets and platforms ranked by the
  // collator once, names it calls equal sharing a rank; a step not of this run compares exactly
  const targetRank = collatorRanks(run.steps.map((s) => s.target ?? ''))
  const platformRank = collatorRanks(run.steps.map((s) => s.platform ?? ''))
  const keys = new Map<Step, StepKey>()
  for (const s of run.steps) {
    keys.set(s, {target: targetRank.get(s.target ?? '')!, platform: platformRank.get(s.platform ?? '')!, stage: stageRank(s), index: isStageStep(s) ? s.index! : undefined, position: position.get(s)!})
  }
  const compare = (a: Step, b: Step): number => {
    const x = keys.get(a)
    const y = keys.get(b)
    if (!x || !y) return exactCompare(a, b)
    return x.target - y.target || x.platform - y.platform || x.stage - y.stage ||
      (x.index !== undefined && y.index !== undefined ? x.index - y.index : 0) || x.position - y.position || 0
  }
  return {compare, sources}
}

interface StepKey {
  target: number
  platform: number
  stage: number
  index: number | undefined
  position: number
}

/** Rank of each distinct name in the collator's order; names the collator calls equal share one. */
function collatorRanks(names: readonly string[]): Map<string, number> {
  const sorted = [...new Set(names)].sort(collator.compare)
  const ranks = new Map<string, number>()
  sorted.forEach((name, i) => ranks.set(name, i > 0 && collator.compare(sorted[i - 1]!, name) === 0 ? ranks.get(sorted[i - 1]!)! : i))
  return ranks
}

/** `steps` (the run's own by default) in the run's step order; a new array. */
export function sortSteps<T extends Step>(run: Pick<Run, 'steps' | 'metadata'>, steps: readonly T[] = run.steps as T[]): T[] {
  // (the order of a whole run is worth computing only when there is something to order: removed
  // steps, asked for on every explanation, are mostly none)
  return steps.length < 2 ? [...steps] : [...steps].sort(stepOrder(run).compare)
}

/** Stages ordered by the first Dockerfile line of their instructions other than FROM; undefined unless every stage has one. */
function rankByLines(stages: Map<string, Step[]>): string[] | undefined {
  const first = new Map<string, number>()
  for (const [stage, steps] of stages) {
    for (const s of steps) {
      const line = s.kind === 'FROM' ? undefined : (s.provenance?.location?.startLine ?? s.stepInputs?.line)
      if (line !== undefined && line < (first.get(stage) ?? Infinity)) first.set(stage, line)
    }
    if (!first.has(stage)) return undefined
  }
  return [...stages.keys()].sort((a, b) => first.get(a)! - first.get(b)!)
}

/** The recorded Dockerfile's stages as BuildKit names them (name, `stage-N`, `''` for a single stage), in FROM order. */
function recordedStageNames(run: Pick<Run, 'metadata'>): string[] | undefined {
  const text = run.metadata?.dockerfile?.text
  if (text === undefined) return undefined
  try {
    const {stages} = parseDockerfile(text, run.metadata!.dockerfile!.file)
    return stages.length === 1 ? [''] : stages.map((st) => st.name ?? `stage-${st.index}`)
  } catch {
    // a Dockerfile BuildKit would reject did not build this run: no evidence of its order
    return undefined
  }
}

function rankByRecorded(stages: Map<string, Step[]>, names: string[] | undefined): string[] | undefined {
  if (!names || ![...stages.keys()].every((stage) => names.includes(stage))) return undefined
  return [...stages.keys()].sort((a, b) => names.indexOf(a) - names.indexOf(b))
}

/**
 * Stages in an order the build graph allows (a stage after every stage it reads a step of), ties
 * broken by the order BuildKit first reported them. A FROM vertex is not a stage's work (BuildKit
 * reports one base-image vertex for every stage on that image), so it orders nothing.
 */
function rankByGraph(all: readonly Step[], stages: Map<string, Step[]>, position: Map<Step, number>): string[] {
  const stageOf = new Map<string, string>()
  for (const [stage, steps] of stages) for (const s of steps) if (s.kind !== 'FROM') stageOf.set(`${s.platform ?? ''}\u0000${s.digest}`, stage)
  const before = new Map<string, Set<string>>([...stages.keys()].map((k) => [k, new Set<string>()]))
  for (const [stage, steps] of stages) {
    for (const s of steps) {
      for (const d of s.inputs) {
        const parent = stageOf.get(`${s.platform ?? ''}\u0000${d}`)
        if (parent !== undefined && parent !== stage) before.get(stage)!.add(parent)
      }
    }
  }
  const firstSeen = new Map([...stages].map(([stage, steps]) => [stage, Math.min(...steps.map((s) => position.get(s) ?? all.length))]))
  const out: string[] = []
  const left = new Set(stages.keys())
  while (left.size) {
    const ready = [...left].filter((k) => [...before.get(k)!].every((p) => !left.has(p)))
    // a cycle cannot come from a Dockerfile; should the data hold one, the rest go in reported order
    const pick = (ready.length ? ready : [...left]).reduce((a, b) => (firstSeen.get(b)! < firstSeen.get(a)! ? b : a))
    out.push(pick)
    left.delete(pick)
  }
  return out
}
