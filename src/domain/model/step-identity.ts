import type {Step} from './run.js'

/**
 * A step's identity across runs (docs/architecture.md, "Steps, identity and the hit rate"): vertex digests are not stable, so steps are matched by
 * (target, platform, stage, index, kind) plus the normalized instruction text.
 */
export function stepSlot(s: Pick<Step, 'target' | 'platform' | 'stage' | 'index' | 'kind'>): string {
  // (a template, not an array join: called several times per step of every explanation)
  return `${s.target ?? ''}|${s.platform ?? ''}|${s.stage ?? ''}|${s.index ?? ''}|${s.kind}`
}

/** whitespace-normalized instruction text */
export function normalizeInstruction(text: string): string {
  // most names are already normal: test first, allocate only when something must change
  return NEEDS_NORMALIZING.test(text) ? text.replace(/\s+/g, ' ').trim() : text
}

const NEEDS_NORMALIZING = /\s\s|[\t\n\r\f\v]|^\s|\s$/

/**
 * `[api linux/amd64 build 4/6] COPY api/ ./api/`: the one label of a step for humans, in every
 * report and view. A plumbing vertex (no index) keeps its BuildKit name when it has one.
 */
export function stepLabel(s: Pick<Step, 'target' | 'platform' | 'stage' | 'index' | 'total' | 'instruction'> & {name?: string}): string {
  if (s.index === undefined && s.name) return s.name
  const parts = [s.target, s.platform, s.stage, s.index !== undefined ? `${s.index}/${s.total ?? '?'}` : undefined].filter(Boolean)
  return parts.length ? `[${parts.join(' ')}] ${s.instruction}` : s.instruction
}

/** `[api linux/amd64 deps 4/4]`: where a step is, for humans (never the internal slot key) */
export function stepPlace(s: Pick<Step, 'target' | 'platform' | 'stage' | 'index' | 'total'>): string {
  const parts = [s.target, s.platform, s.stage, s.index !== undefined ? `${s.index}/${s.total ?? '?'}` : undefined].filter(Boolean)
  return `[${parts.join(' ')}]`
}
