import type {Dispatcher} from 'undici'
import {createRegistryClient, type RegistryClient} from '../adapters/registry/client.js'
import {DockerCredentialStore} from '../adapters/registry/docker-config.js'
import {InputError, ExternalError} from '../errors.js'
import {OciFormatError} from '../domain/oci/errors.js'
import {parseManifest, type Descriptor} from '../domain/oci/parse.js'
import {formatReference, parseImageReference, type ImageReference} from '../domain/oci/reference.js'
import type {ProvenanceInput} from '../domain/provenance/sources.js'

export interface RegistryProvenanceOptions {
  ref: string
  /** the registry may be plain HTTP on loopback / unverified TLS elsewhere */
  insecure?: boolean
  dockerConfigDir?: string
  env?: Record<string, string | undefined>
  dispatcher?: Dispatcher
}

const REFERENCE_TYPE = 'vnd.docker.reference.type'
const ATTESTATION_MANIFEST = 'attestation-manifest'
const IN_TOTO = 'application/vnd.in-toto+json'
const PREDICATE_TYPE = 'in-toto.io/predicate-type'
/** at most this many platforms' attestation manifests are read from one index */
const MAX_ATTESTATIONS = 64
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MAX_STATEMENT_BYTES = 64 * 1024 * 1024

/**
 * `ingest --provenance-from REF`: the SLSA provenance statements attached to an image in a registry
 * (BuildKit's attestation storage: an image index lists one attestation manifest per platform,
 * annotated `vnd.docker.reference.type: attestation-manifest`; its in-toto layers hold full
 * statements). Read through the registry client (auth, TLS, retries, size limits).
 */
export async function fetchRegistryProvenance(options: RegistryProvenanceOptions): Promise<ProvenanceInput[]> {
  const parsed = parseImageReference(options.ref)
  if ('error' in parsed) throw new InputError(`--provenance-from: ${parsed.error}`, {fix: 'use registry/repository:tag or registry/repository@sha256:…'})
  const ref: ImageReference = parsed
  const client = await createRegistryClient({
    dispatcher: options.dispatcher,
    insecureHosts: options.insecure ? [ref.registry] : [],
    credentials: new DockerCredentialStore({configDir: options.dockerConfigDir, env: options.env}),
  })
  try {
    return await readAttestations(client, ref, options.ref)
  } catch (error) {
    if (error instanceof OciFormatError) {
      throw new ExternalError(`cannot read the provenance of ${options.ref}: ${error.message}`, {fix: 'the ref must be an image index pushed by BuildKit with attestations (--attest type=provenance,mode=max)'})
    }
    throw error
  } finally {
    await client.close()
  }
}

async function readAttestations(client: RegistryClient, ref: ImageReference, text: string): Promise<ProvenanceInput[]> {
  const top = await client.getManifest(ref, {maxBytes: MAX_MANIFEST_BYTES})
  const manifest = parseManifest(top.bytes.toString('utf8'), top.mediaType)
  if (manifest.kind !== 'index') {
    throw new ExternalError(`${text} is a single image manifest: it carries no attestations`, {fix: 'push with --attest type=provenance,mode=max (or --provenance=mode=max) so the image index lists an attestation manifest per platform'})
  }
  const attestations = manifest.manifests.filter((d) => d.annotations?.[REFERENCE_TYPE] === ATTESTATION_MANIFEST).slice(0, MAX_ATTESTATIONS)
  if (attestations.length === 0) {
    throw new ExternalError(`${text} has no attestation manifest`, {fix: 'push with --attest type=provenance,mode=max (or --provenance=mode=max)'})
  }
  const out: ProvenanceInput[] = []
  for (const a of attestations) {
    const fetched = await client.getManifest(ref, {target: a.digest, maxBytes: MAX_MANIFEST_BYTES})
    const att = parseManifest(fetched.bytes.toString('utf8'), fetched.mediaType)
    if (att.kind !== 'image') continue
    for (const layer of att.layers.filter(isProvenanceLayer)) {
      if (layer.size > MAX_STATEMENT_BYTES) {
        throw new ExternalError(`the provenance ${layer.digest} of ${text} is ${layer.size} bytes, more than the ${MAX_STATEMENT_BYTES}-byte limit`, {fix: 'pass the statement with --provenance FILE instead'})
      }
      const bytes = await client.getBlob(ref, layer.digest, {maxBytes: MAX_STATEMENT_BYTES, what: `provenance ${layer.digest}`})
      out.push({kind: 'text', text: bytes.toString('utf8'), file: formatReference({...ref, digest: a.digest, tag: undefined}), entry: layer.digest})
    }
  }
  if (out.length === 0) throw new ExternalError(`the attestation manifests of ${text} hold no SLSA provenance`, {fix: 'push with --attest type=provenance,mode=max'})
  return out
}

function isProvenanceLayer(d: Descriptor): boolean {
  if (d.mediaType !== IN_TOTO) return false
  const type = d.annotations?.[PREDICATE_TYPE]
  return type === undefined || /slsa\.dev\/provenance/.test(type)
}
