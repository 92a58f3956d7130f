/**
 * The explain view's tree, built once per explanation, and the visible rows for a given
 * expansion / filter state. Pure: no React, no ink, no IO (docs/architecture.md, "Folders").
 */
import type {Explanation, StepExplanation} from '../../domain/explain/types.js'

export type GroupKind = 'roots' | 'target' | 'platform' | 'stage'

export interface GroupNode {
  id: string
  kind: GroupKind
  label: string
  /** parent group id; undefined for top-level groups */
  parent?: string
  groups: GroupNode[]
  /** indexes into `explanation.steps` */
  steps: number[]
}

/** The explanation plus lookup tables, computed once. */
export interface ExplainModel {
  explanation: Explanation
  /** step key → index into `explanation.steps` */
  stepIndex: ReadonlyMap<string, number>
  /** top-level tree groups (target → platform → stage), without the root-cause group */
  tree: GroupNode[]
  /** every group by id */
  groups: ReadonlyMap<string, GroupNode>
  /** step index → id of the tree group it sits in (undefined when it sits at the top) */
  stepParent: readonly (string | undefined)[]
  /** step index → depth of its row in the tree */
  stepDepth: readonly number[]
  /** platforms that steps use, in order of appearance; the `p` filter cycles through them */
  platforms: string[]
  /** lower-cased text that `/` search matches against, per step */
  haystack: readonly string[]
  /** indexes of root-cause steps in report order (explanation.rootCauses, then any other `root` step) */
  roots: number[]
}

export const ROOTS_GROUP_ID = 'roots'

/** Row ids: `roots`, `g:t=api|p=linux/amd64|s=build`, `s:<step key>` (tree), `r:<step key>` (root-cause group). */
export const stepRowId = (key: string) => `s:${key}`
export const rootRowId = (key: string) => `r:${key}`

export interface GroupStats {
  steps: number
  misses: number
  hits: number
  ms: number
}

export type Row =
  | {kind: 'group'; id: string; depth: number; group: GroupNode; expanded: boolean; stats: GroupStats}
  | {kind: 'step'; id: string; depth: number; step: number; inRoots: boolean}

export interface RowFilter {
  missesOnly: boolean
  platform?: string
  query: string
}

export function isMiss(step: StepExplanation): boolean {
  return !step.cached
}

/** Builds the lookup tables and the target → platform → stage tree. Levels a step lacks are skipped. */
export function buildModel(explanation: Explanation): ExplainModel {
  const stepIndex = new Map<string, number>()
  const groups = new Map<string, GroupNode>()
  const tree: GroupNode[] = []
  const stepParent: (string | undefined)[] = []
  const stepDepth: number[] = []
  const platforms: string[] = []
  const haystack: string[] = []
  const topSteps: number[] = []

  explanation.steps.forEach((step, i) => {
    stepIndex.set(step.key, i)
    if (step.platform !== undefined && !platforms.includes(step.platform)) platforms.push(step.platform)
    haystack.push(
      [step.target, step.platform, step.stage, step.instruction, step.verdict, step.evidence?.summary]
        .filter((s) => s !== undefined && s !== '')
        .join(' ')
        .toLowerCase(),
    )
    const levels: [GroupKind, string | undefined][] = [
      ['target', step.target],
      ['platform', step.platform],
      ['stage', step.stage],
    ]
    let parent: GroupNode | undefined
    let path = ''
    let depth = 0
    for (const [kind, value] of levels) {
      if (value === undefined || value === '') continue
      path += `${path ? '|' : ''}${kind[0]}=${value}`
      const id = `g:${path}`
      let node = groups.get(id)
      if (!node) {
        node = {id, kind, label: value, parent: parent?.id, groups: [], steps: []}
        groups.set(id, node)
        if (parent) parent.groups.push(node)
        else tree.push(node)
      }
      parent = node
      depth++
    }
    if (parent) parent.steps.push(i)
    else topSteps.push(i)
    stepParent.push(parent?.id)
    stepDepth.push(depth)
  })

  if (topSteps.length > 0) {
    // Steps with no target/platform/stage at all: one plain group keeps the tree uniform.
    const node: GroupNode = {id: 'g:', kind: 'stage', label: '(steps)', groups: [], steps: topSteps}
    groups.set(node.id, node)
    tree.push(node)
    for (const i of topSteps) {
      stepParent[i] = node.id
      stepDepth[i] = 1
    }
  }

  const roots: number[] = []
  for (const rc of explanation.rootCauses) {
    const i = stepIndex.get(rc.key)
    if (i !== undefined && !roots.includes(i)) roots.push(i)
  }
  explanation.steps.forEach((s, i) => {
    if (s.root && !s.cached && !roots.includes(i)) roots.push(i)
  })
  const rootsGroup: GroupNode = {id: ROOTS_GROUP_ID, kind: 'roots', label: 'Root causes', groups: [], steps: roots}
  groups.set(ROOTS_GROUP_ID, rootsGroup)

  return {explanation, stepIndex, tree, groups, stepParent, stepDepth, platforms, haystack, roots}
}

/** Group ids expanded when the view opens: everything for small runs, only groups holding misses for big ones. */
export function defaultExpanded(model: ExplainModel, smallRunSteps = 300): Set<string> {
  const expanded = new Set<string>([ROOTS_GROUP_ID])
  const all = model.explanation.steps.length <= smallRunSteps
  for (const [id] of model.groups) if (all) expanded.add(id)
  if (!all) {
    model.explanation.steps.forEach((s, i) => {
      if (!isMiss(s)) return
      for (let g = model.stepParent[i]; g !== undefined; g = model.groups.get(g)?.parent) expanded.add(g)
    })
  }
  return expanded
}

export function stepMatches(model: ExplainModel, i: number, filter: RowFilter): boolean {
  const step = model.explanation.steps[i]
  if (!step) return false
  if (filter.missesOnly && !isMiss(step)) return false
  if (filter.platform !== undefined && step.platform !== filter.platform) return false
  if (filter.query !== '' && !model.haystack[i]!.includes(filter.query.toLowerCase())) return false
  return true
}

/**
 * The visible rows: the "Root causes" group first, then the tree. Groups with no matching step are
 * hidden; while a search query is active every group with a match shows open.
 */
export function buildRows(model: ExplainModel, expanded: ReadonlySet<string>, filter: RowFilter): Row[] {
  const rows: Row[] = []
  const forceOpen = filter.query !== ''
  const steps = model.explanation.steps

  const rootSteps = model.roots.filter((i) => stepMatches(model, i, filter))
  if (rootSteps.length > 0) {
    const group = model.groups.get(ROOTS_GROUP_ID)!
    const open = forceOpen || expanded.has(ROOTS_GROUP_ID)
    rows.push({kind: 'group', id: ROOTS_GROUP_ID, depth: 0, group, expanded: open, stats: statsOf(steps, rootSteps)})
    if (open) for (const i of rootSteps) rows.push({kind: 'step', id: rootRowId(steps[i]!.key), depth: 1, step: i, inRoots: true})
  }

  const visit = (node: GroupNode, depth: number): void => {
    const matching: number[] = []
    collect(node, (i) => {
      if (stepMatches(model, i, filter)) matching.push(i)
    })
    if (matching.length === 0) return
    const open = forceOpen || expanded.has(node.id)
    rows.push({kind: 'group', id: node.id, depth, group: node, expanded: open, stats: statsOf(steps, matching)})
    if (!open) return
    for (const i of node.steps) {
      if (stepMatches(model, i, filter)) rows.push({kind: 'step', id: stepRowId(steps[i]!.key), depth: depth + 1, step: i, inRoots: false})
    }
    for (const child of node.groups) visit(child, depth + 1)
  }
  for (const node of model.tree) visit(node, 0)
  return rows
}

function collect(node: GroupNode, fn: (i: number) => void): void {
  for (const i of node.steps) fn(i)
  for (const g of node.groups) collect(g, fn)
}

function statsOf(steps: readonly StepExplanation[], indexes: readonly number[]): GroupStats {
  const stats: GroupStats = {steps: 0, misses: 0, hits: 0, ms: 0}
  for (const i of indexes) {
    const s = steps[i]!
    stats.steps++
    if (isMiss(s)) stats.misses++
    else stats.hits++
    stats.ms += s.durationMs
  }
  return stats
}

/** Group ids from the top down to the group holding step `i` in the tree. */
export function ancestorsOf(model: ExplainModel, i: number): string[] {
  const out: string[] = []
  for (let g = model.stepParent[i]; g !== undefined; g = model.groups.get(g)?.parent) out.unshift(g)
  return out
}
