import type {Run, Step} from './run.js'

/**
 * The platform of a step: its own (multi-platform builds name it: `[linux/amd64 build 2/6]`), else the
 * run's when the run built exactly one platform (single-platform builds name none; the platform then
 * comes from the metadata file, the `.dockerbuild` record, the engine or `ingest --platform`).
 * Undefined when unknown: never guessed.
 */
export function stepPlatform(step: Pick<Step, 'platform' | 'internal'>, runPlatforms: readonly string[]): string | undefined {
  if (step.platform !== undefined || step.internal) return step.platform
  return runPlatforms.length === 1 ? runPlatforms[0] : undefined
}

/** `{os, architecture, variant}` (an OCI platform object) → `linux/arm64/v8`; undefined when malformed. */
export function formatOciPlatform(value: unknown): string | undefined {
  if (typeof value === 'string') return /^[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_.-]+)?$/i.test(value) ? value : undefined
  if (typeof value !== 'object' || value === null) return undefined
  const o = value as Record<string, unknown>
  const os = typeof o.os === 'string' ? o.os : typeof o.OS === 'string' ? o.OS : undefined
  const arch = typeof o.architecture === 'string' ? o.architecture : typeof o.Architecture === 'string' ? o.Architecture : undefined
  const variant = typeof o.variant === 'string' ? o.variant : typeof o.Variant === 'string' ? o.Variant : undefined
  if (!os || !arch) return undefined
  return variant ? `${os}/${arch}/${variant}` : `${os}/${arch}`
}

/**
 * The platforms of a run, from every source that knows them, in order of authority: the step names
 * (multi-platform builds), the `.dockerbuild` record / engine (already in `run.platforms`), the
 * metadata file, then what the user declared (`ingest --platform`). A declared platform that
 * contradicts the build's own evidence is an error, not an override.
 */
export function resolveRunPlatforms(run: Run, sources: {metadata?: Record<string, string[]>; declared?: string}): {platforms: string[]} | {conflict: string} {
  const fromMetadata = [...new Set(Object.values(sources.metadata ?? {}).flat())].sort()
  const known = run.platforms.length ? run.platforms : fromMetadata
  if (sources.declared !== undefined) {
    if (known.length && !known.includes(sources.declared)) {
      const where = run.platforms.length ? 'the build events' : 'the metadata file'
      return {conflict: `--platform ${sources.declared} contradicts ${where}, which name ${known.join(', ')}`}
    }
    if (!known.length) return {platforms: [sources.declared]}
  }
  return {platforms: known}
}
