/** Evidence behind a verdict: old → new values, files, the root of a cascade. JSON-friendly. */
export interface Evidence {
  /** one line for humans, e.g. `NODE_ENV: production → development` */
  summary: string
  /** ARG/ENV changes; secret values appear as "changed", never the value */
  args?: ArgChange[]
  /** context files of COPY/ADD */
  files?: {path: string; change: 'added' | 'removed' | 'modified'}[]
  /** `oldRef` when the stage's FROM now names another image (e.g. switched through an ARG) */
  baseImage?: {ref: string; old?: string; new?: string; oldRef?: string}
  instruction?: {old: string; new: string; diff?: string}
  platforms?: {run: string[]; baseline: string[]}
  /** key (StepId) of the root-cause step a cascade descends from */
  root?: string
  /**
   * what is known about the cache: `reasons` for humans; `imports` (each cache-from the run imported,
   * with its error) and `runPlatforms` when the run's events tell them — advice is derived from these
   */
  cache?: {reasons: string[]; imports?: {ref: string; error?: string}[]; runPlatforms?: string[]}
  /** baseline steps this run no longer has, right before this step (step-removed) */
  removed?: {key: string; instruction: string}[]
  error?: {message: string; logTail: string[]}
  /** what the verdict could not see (e.g. inputs not recorded) instead of guessing */
  missing?: string[]
}

export interface ArgChange {
  name: string
  old?: string
  new?: string
  secret?: boolean
}
