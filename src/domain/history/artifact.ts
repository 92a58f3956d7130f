import {InputError} from '../errors.js'
import type {HistoryRecord} from './record.js'

/**
 * One run = one OCI artifact (OCI image-spec 1.1 "artifact" guidance): an image manifest whose
 * `artifactType` is bakedoctor's, the empty config, and one layer, the gzip'd run record.
 * Registries that predate OCI 1.1 may refuse `artifactType` or the empty config's media type: the
 * fallback form puts the artifact type in `config.mediaType` (the OCI 1.0 convention), with the same
 * two-byte `{}` config blob. Pull accepts both.
 */
export const RUN_ARTIFACT_TYPE = 'application/vnd.bakedoctor.run.v1+json'
export const RUN_RECORD_MEDIA_TYPE = 'application/vnd.bakedoctor.run.record.v1+json+gzip'
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json'
/** `{}`, the OCI empty descriptor's content */
export const EMPTY_CONFIG = Buffer.from('{}')
export const EMPTY_CONFIG_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'

export const ANNOTATION = {
  created: 'org.opencontainers.image.created',
  revision: 'org.opencontainers.image.revision',
  runId: 'dev.bakedoctor.run.id',
  branch: 'dev.bakedoctor.run.branch',
  commit: 'dev.bakedoctor.run.commit',
  targets: 'dev.bakedoctor.run.targets',
  platforms: 'dev.bakedoctor.run.platforms',
  hitRate: 'dev.bakedoctor.run.hit-rate',
  status: 'dev.bakedoctor.run.status',
} as const

export type ManifestForm = 'oci-1.1' | 'oci-1.0'

/** The annotations a history listing (or `crane manifest`) can read without fetching the record. */
export function runAnnotations(record: HistoryRecord): Record<string, string> {
  const run = record.run
  const out: Record<string, string> = {
    [ANNOTATION.created]: new Date(run.createdAt).toISOString(),
    [ANNOTATION.runId]: record.globalId,
    [ANNOTATION.targets]: run.targets.join(','),
    [ANNOTATION.platforms]: run.platforms.join(','),
    [ANNOTATION.status]: run.status,
  }
  const hitRate = record.totals.cacheable ? record.totals.hits / record.totals.cacheable : undefined
  if (hitRate !== undefined) out[ANNOTATION.hitRate] = hitRate.toFixed(4)
  if (run.git?.branch) out[ANNOTATION.branch] = run.git.branch
  if (run.git?.commit) {
    out[ANNOTATION.commit] = run.git.commit
    out[ANNOTATION.revision] = run.git.commit
  }
  return out
}

/** The manifest bytes (fixed key order: the same run always gives the same digest). */
export function buildRunManifest(layer: {digest: string; size: number}, annotations: Record<string, string>, form: ManifestForm): Buffer {
  const manifest =
    form === 'oci-1.1'
      ? {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST_MEDIA_TYPE,
          artifactType: RUN_ARTIFACT_TYPE,
          config: {mediaType: OCI_EMPTY_MEDIA_TYPE, digest: EMPTY_CONFIG_DIGEST, size: EMPTY_CONFIG.length, data: EMPTY_CONFIG.toString('base64')},
          layers: [{mediaType: RUN_RECORD_MEDIA_TYPE, digest: layer.digest, size: layer.size}],
          annotations,
        }
      : {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST_MEDIA_TYPE,
          config: {mediaType: RUN_ARTIFACT_TYPE, digest: EMPTY_CONFIG_DIGEST, size: EMPTY_CONFIG.length},
          layers: [{mediaType: RUN_RECORD_MEDIA_TYPE, digest: layer.digest, size: layer.size}],
          annotations,
        }
  return Buffer.from(JSON.stringify(manifest))
}

export interface RunArtifact {
  layer: {digest: string; size: number}
  annotations: Record<string, string>
}

/** a media type for a message: a string (cut), else its JSON type (a nested value must not be printed whole) */
function quoted(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value)
  return value === undefined || value === null ? 'null' : `not a string but ${Array.isArray(value) ? 'an array' : `a ${typeof value}`}`
}

/**
 * Reads a pulled manifest: a bakedoctor run artifact (either form) with one record layer.
 * Anything else under a run tag is refused (InputError: exit 2), naming the tag.
 */
export function parseRunManifest(text: string, where: string): RunArtifact {
  const fail = (what: string): never => {
    throw new InputError(`is not a bakedoctor run artifact: ${what}`, {file: where, fix: 'only `bakedoctor history push` should write to a history repository; delete that tag, or pull from the right repository'})
  }
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch {
    return fail('the manifest is not JSON')
  }
  if (typeof m !== 'object' || m === null) return fail('the manifest is not an object')
  const o = m as {artifactType?: unknown; config?: {mediaType?: unknown}; layers?: unknown; annotations?: unknown}
  if (o.artifactType !== RUN_ARTIFACT_TYPE && o.config?.mediaType !== RUN_ARTIFACT_TYPE) return fail(`its artifact type is ${quoted(o.artifactType ?? o.config?.mediaType)}`)
  if (!Array.isArray(o.layers) || o.layers.length !== 1) return fail('it does not have exactly one layer')
  const layer = o.layers[0] as {mediaType?: unknown; digest?: unknown; size?: unknown}
  if (layer.mediaType !== RUN_RECORD_MEDIA_TYPE) return fail(`its layer is ${quoted(layer.mediaType)}, not ${RUN_RECORD_MEDIA_TYPE}`)
  if (typeof layer.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(layer.digest)) return fail('its layer has no sha256 digest')
  if (typeof layer.size !== 'number' || !Number.isSafeInteger(layer.size) || layer.size < 0) return fail('its layer has no size')
  const annotations: Record<string, string> = {}
  if (typeof o.annotations === 'object' && o.annotations !== null) {
    for (const [k, v] of Object.entries(o.annotations)) if (typeof v === 'string') annotations[k] = v
  }
  return {layer: {digest: layer.digest, size: layer.size}, annotations}
}
