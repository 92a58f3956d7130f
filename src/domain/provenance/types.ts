/**
 * The builder's own record of a step (provenance.md): BuildKit's SLSA provenance in `mode=max`
 * holds the LLB op of every step. These are the normalized, comparable forms bakedoctor keeps.
 */

/** How a step input is fed: a build-context source, an image source, another step. */
export type InputKind = 'context' | 'image' | 'git' | 'http' | 'step' | 'scratch'

export interface DefinitionMount {
  type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh'
  target: string
  /** `input N` (a parent of the step, see StepDefinition.inputs) or undefined for scratch */
  source?: string
  selector?: string
  readonly?: boolean
  /** cache mounts */
  cacheId?: string
  sharing?: 'shared' | 'private' | 'locked'
  /** secret / ssh mounts: the id only */
  id?: string
}

export interface FileActionDefinition {
  type: 'copy' | 'mkdir' | 'mkfile' | 'rm' | 'symlink'
  /** copy: the path in the source; mkdir/mkfile/rm: the path */
  src?: string
  dest?: string
  path?: string
  /** `input N` the action copies from */
  from?: string
  mode?: string
  chown?: string
  include?: string[]
  exclude?: string[]
  /** the remaining flags that change what is copied (followSymlink, dirCopyContents, allowWildcard …) */
  flags?: string[]
  /** mkfile: sha256 of the content (never the content) */
  contentDigest?: string
}

/** One step's definition: exactly the cache-relevant parts of its LLB op, volatile parts dropped. */
export interface StepDefinition {
  kind: 'exec' | 'file' | 'source' | 'build' | 'merge' | 'diff' | 'other'
  /** `linux/arm64`: the target platform of the op */
  platform?: string
  /** what each input is, in order (`input N` refers to these) */
  inputs: InputKind[]
  exec?: {
    args: string[]
    /** `NAME` → value; secret-looking values are `secret:<salted hash>` */
    env: Record<string, string>
    cwd?: string
    user?: string
    network?: string
    security?: string
    mounts: DefinitionMount[]
    /** hostname, extra hosts, ulimits …: rarely set, compared as text */
    extra?: Record<string, string>
  }
  file?: {actions: FileActionDefinition[]}
  source?: {
    identifier: string
    /** docker-image: the ref without digest, and the pinned digest */
    ref?: string
    digest?: string
    attrs: Record<string, string>
  }
  /** anything else in the op (build/merge/diff ops, unknown fields), canonical JSON */
  other?: string
}

/** Dockerfile position of a step (`source.locations` + `source.infos`). */
export interface StepLocation {
  file: string
  startLine: number
  endLine: number
  /** the Dockerfile lines of the step (bounded) */
  text: string[]
}

/** A step of one provenance statement. */
export interface ProvenanceStep {
  /** `step8` — only meaningful within its statement */
  id: string
  definition: StepDefinition
  /** step ids of the inputs, in order */
  parents: string[]
  /** sha256 of the canonical definition */
  hash: string
  /** sha256 (first 128 bits, hex) over the definition and its parents' lineage: equal lineage = equal definition all the way up */
  lineage: string
  /** this step or one of its ancestors reads a build-context source (content not in the definition) */
  readsContext: boolean
  location?: StepLocation
}

export interface ProvenanceMaterial {
  uri: string
  digest: string
}

/** One parsed statement (one platform). */
export interface ProvenanceRecord {
  predicateType: 'v0.2' | 'v1'
  /** `max` when the LLB definition is present, `min` otherwise */
  mode: 'max' | 'min'
  /** the target platform of the ops (undefined for a min statement without materials' platform) */
  platform?: string
  /** in statement order; the result pseudo-op is left out */
  steps: ProvenanceStep[]
  /** vertex digest → step id (`digestMapping`) */
  digestToStep: Record<string, string>
  /** `build-arg:NAME` values of the request (secret-looking ones masked) */
  buildArgs: Record<string, string>
  materials: ProvenanceMaterial[]
}

/** What a run step carries once its platform's statement is mapped onto it. */
export interface StepProvenance {
  stepId: string
  definition: StepDefinition
  hash: string
  lineage: string
  readsContext: boolean
  /** vertex digests of the parent steps (through digestMapping) */
  parents: string[]
  location?: StepLocation
}
