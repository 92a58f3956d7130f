import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import {ExternalError} from '../../src/errors.js'
import {explainWithStore} from '../../src/services/explain.js'
import {ingestFile} from '../../src/services/ingest.js'
import {FIXTURES} from '../helpers/fixtures.js'
import {requireTools, skipNote, startRegistry, type RunningRegistry} from '../helpers/registry.js'

const enabled = requireTools(['docker-registry'])
const dir = (run: string) => path.join(FIXTURES, 'provenance-0.11', run)
const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-prov-reg-'))

/** Pushes bytes as a blob (POST + PUT upload) and returns its descriptor. */
async function pushBlob(url: string, repo: string, bytes: Buffer, mediaType: string, annotations?: Record<string, string>) {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  const start = await fetch(`${url}/v2/${repo}/blobs/uploads/`, {method: 'POST'})
  if (start.status !== 202) throw new Error(`upload start: ${start.status}`)
  const location = new URL(start.headers.get('location')!, url)
  location.searchParams.set('digest', digest)
  const put = await fetch(location, {method: 'PUT', body: new Uint8Array(bytes), headers: {'content-type': 'application/octet-stream'}})
  if (put.status !== 201) throw new Error(`blob: ${put.status} ${await put.text()}`)
  return {mediaType, digest, size: bytes.length, ...(annotations ? {annotations} : {})}
}

async function pushManifest(url: string, repo: string, reference: string, manifest: object, mediaType: string) {
  const bytes = Buffer.from(JSON.stringify(manifest))
  const res = await fetch(`${url}/v2/${repo}/manifests/${reference}`, {method: 'PUT', body: new Uint8Array(bytes), headers: {'content-type': mediaType}})
  if (res.status !== 201) throw new Error(`manifest ${reference}: ${res.status} ${await res.text()}`)
  return {mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length}
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

/**
 * The layout BuildKit pushes for `--attest type=provenance,mode=max` (attestation-storage.md): an
 * index with one image manifest per platform and one attestation manifest per image
 * (platform unknown/unknown, `vnd.docker.reference.type: attestation-manifest`) whose in-toto layer is
 * the statement — here the capture's own statements, byte for byte.
 */
async function pushAttestedImage(url: string, repo: string, tag: string, statements: Record<string, Buffer>) {
  const entries: object[] = []
  for (const [platform, statement] of Object.entries(statements)) {
    const [os, architecture] = platform.split('/')
    const config = await pushBlob(url, repo, Buffer.from(JSON.stringify({architecture, os, rootfs: {type: 'layers', diff_ids: []}})), 'application/vnd.oci.image.config.v1+json')
    const image = await pushManifest(url, repo, `img-${architecture}`, {schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: []}, OCI_MANIFEST)
    entries.push({...image, platform: {os, architecture}})
    const layer = await pushBlob(url, repo, statement, 'application/vnd.in-toto+json', {'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2'})
    const attConfig = await pushBlob(url, repo, Buffer.from('{}'), 'application/vnd.oci.image.config.v1+json')
    const att = await pushManifest(url, repo, `att-${architecture}`, {schemaVersion: 2, mediaType: OCI_MANIFEST, config: attConfig, layers: [layer]}, OCI_MANIFEST)
    entries.push({...att, platform: {os: 'unknown', architecture: 'unknown'}, annotations: {'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest'}})
  }
  await pushManifest(url, repo, tag, {schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries}, OCI_INDEX)
  return `${new URL(url).host}/${repo}:${tag}`
}

describe.skipIf(!enabled)(`ingest --provenance-from REF: the attestation manifests of an image in a real registry${skipNote(['docker-registry'])}`, () => {
  let reg: RunningRegistry
  const refs: Record<string, string> = {}
  beforeAll(async () => {
    reg = await startRegistry()
    for (const run of ['p2-warm', 'p3-build-mode']) {
      refs[run] = await pushAttestedImage(reg.url, 'shop/app', run, {
        'linux/amd64': readFileSync(path.join(dir(run), 'provenance.linux_amd64.json')),
        'linux/arm64': readFileSync(path.join(dir(run), 'provenance.linux_arm64.json')),
      })
    }
    // an image pushed without attestations
    const config = await pushBlob(reg.url, 'shop/plain', Buffer.from('{"architecture":"amd64","os":"linux"}'), 'application/vnd.oci.image.config.v1+json')
    const image = await pushManifest(reg.url, 'shop/plain', 'img', {schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: []}, OCI_MANIFEST)
    await pushManifest(reg.url, 'shop/plain', 'v1', {schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{...image, platform: {os: 'linux', architecture: 'amd64'}}]}, OCI_INDEX)
  }, 60_000)
  afterAll(async () => {
    await reg?.stop()
  })

  it('reads every platform\'s statement and explains p3 vs p2 with them', async () => {
    const work = tmp()
    const db = path.join(work, 'index.db')
    const ids: Record<string, string> = {}
    for (const run of ['p2-warm', 'p3-build-mode']) {
      const res = await ingestFile({file: path.join(dir(run), 'rawjson.json'), db, cwd: work, git: false, provenanceFrom: refs[run], insecure: true})
      expect(res.definitions).toBe(18)
      ids[run] = res.run.id
    }
    const store = await IndexStore.open(db, {readonly: true})
    try {
      const ex = await explainWithStore(store, {run: ids['p3-build-mode'], against: ids['p2-warm']})
      const run = ex.steps.find((s) => s.platform === 'linux/amd64' && s.stage === 'build' && s.index === 5)!
      expect(run.evidence?.summary).toBe('BUILD_MODE: release → debug (Dockerfile:12)')
      const armRoots = ex.steps.filter((s) => s.platform === 'linux/arm64' && s.root)
      expect(armRoots.length).toBe(6)
      expect(armRoots.every((s) => s.verdict === 'cache-unavailable' && s.evidence?.summary.startsWith('proven:'))).toBe(true)
    } finally {
      store.close()
    }
  })

  it('an image without attestations is an error that says how to push them; nothing is recorded', async () => {
    const work = tmp()
    const db = path.join(work, 'index.db')
    const err = await ingestFile({file: path.join(dir('p3-build-mode'), 'rawjson.json'), db, cwd: work, git: false, provenanceFrom: `${reg.host}/shop/plain:v1`, insecure: true}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ExternalError)
    expect((err as ExternalError).message).toMatch(/has no attestation manifest/)
    expect((err as ExternalError).fix).toMatch(/--attest type=provenance,mode=max/)
    expect(existsSync(db)).toBe(false)
  })
})
