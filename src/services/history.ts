import {createHash} from 'node:crypto'
import {promisify} from 'node:util'
import {gunzip as gunzipCb, gzipSync} from 'node:zlib'
import type {Dispatcher} from 'undici'
import {IndexStore} from '../adapters/db/index-store.js'
import {resolveDbPath} from '../adapters/db/open.js'
import {loadGateConfig} from '../adapters/config/load-config.js'
import {createRegistryClient, isLoopbackHost, type RegistryClient, type RetryPolicy} from '../adapters/registry/client.js'
import {readCaFile} from '../adapters/registry/ca-file.js'
import {DockerCredentialStore} from '../adapters/registry/docker-config.js'
import {RegistryError} from '../adapters/registry/errors.js'
import {listTags, putManifest, uploadBlob, type TagListLimits} from '../adapters/registry/push.js'
import {InputError} from '../domain/errors.js'
import type {PullResult, PushedRun, PushResult} from '../domain/history/results.js'
import {buildRunManifest, EMPTY_CONFIG, OCI_MANIFEST_MEDIA_TYPE, parseRunManifest, runAnnotations, ANNOTATION, type ManifestForm} from '../domain/history/artifact.js'
import {createdAtOfGlobalId, isGlobalId} from '../domain/history/global-id.js'
import {parseRecord, RECORD_SCHEMA, serializeRecord, type HistoryRecord} from '../domain/history/record.js'
import {parseImageReference, type ImageReference} from '../domain/oci/reference.js'
import {canonicalPlanJson, planHash as hashPlan, type Plan} from '../domain/bake/plan.js'
import {UsageError} from '../errors.js'
import {mapLimit} from '../lib/map-limit.js'

const gunzip = promisify(gunzipCb)

/** What every history call needs to reach the registry: the same knobs as `cache inspect`. */
export type {PullResult, PushedRun, PushResult} from '../domain/history/results.js'

export interface HistoryConnection {
  db?: string
  cwd: string
  /** the history repository; default `BAKEDOCTOR_HISTORY`, then `history` of bakedoctor.config.json */
  ref?: string
  env?: Record<string, string | undefined>
  /** `$DOCKER_CONFIG` or `~/.docker`; undefined = anonymous */
  dockerConfigDir?: string
  /** plain HTTP on loopback (the default there, as Docker does), unverified TLS elsewhere */
  insecure?: boolean
  caFile?: string
  dispatcher?: Dispatcher
  retry?: Partial<RetryPolicy>
  /** parallel registry requests */
  concurrency?: number
  tagLimits?: TagListLimits
}

export interface HistoryFilter {
  /** ms since the epoch: runs created at or after */
  since?: number
  branch?: string
  /** the newest N runs (after the other filters) */
  limit?: number
}

export interface PushOptions extends HistoryConnection, HistoryFilter {
  /** only these runs (r12, latest, a global id); default every run of the index */
  runs?: string[]
}

export interface PullOptions extends HistoryConnection, HistoryFilter {
  /** compressed record bytes, at most */
  maxRecordBytes?: number
  /** record JSON bytes after decompression, at most */
  maxRecordJsonBytes?: number
  /** manifest bytes, at most */
  maxManifestBytes?: number
}

export const HISTORY_LIMITS = {
  maxRecordBytes: 16 * 1024 * 1024,
  maxRecordJsonBytes: 128 * 1024 * 1024,
  maxManifestBytes: 256 * 1024,
}

const DEFAULT_CONCURRENCY = 6

/** REF from the flag, `BAKEDOCTOR_HISTORY`, or bakedoctor.config.json's `history`. */
export async function resolveHistoryRef(o: Pick<HistoryConnection, 'ref' | 'env' | 'cwd'>): Promise<{text: string; ref: ImageReference}> {
  const text = o.ref ?? (o.env?.BAKEDOCTOR_HISTORY || undefined) ?? (await loadGateConfig({cwd: o.cwd}))?.history
  if (!text) {
    throw new UsageError('no history repository given', {
      fix: 'pass REF (e.g. ghcr.io/acme/shop/bakedoctor-history), set BAKEDOCTOR_HISTORY, or add "history": "REF" to bakedoctor.config.json',
    })
  }
  const parsed = parseImageReference(text)
  if ('error' in parsed) throw new UsageError(`history repository: ${parsed.error}`, {fix: 'use registry/repository, e.g. ghcr.io/acme/shop/bakedoctor-history'})
  if (parsed.tag || parsed.digest) throw new UsageError(`the history repository ${text} names a tag or digest`, {fix: 'give the repository only: each run is its own tag in it'})
  return {text, ref: parsed}
}

async function connect(o: HistoryConnection, ref: ImageReference): Promise<RegistryClient> {
  const caPem = o.caFile ? await readCaFile(o.caFile) : undefined
  // a loopback registry speaks plain HTTP unless said otherwise (as Docker treats 127.0.0.0/8); one
  // given a CA file speaks TLS
  const insecure = o.insecure || (isLoopbackHost(ref.registry) && !o.caFile)
  return createRegistryClient({
    dispatcher: o.dispatcher,
    caPem,
    insecureHosts: insecure ? [ref.registry] : [],
    credentials: new DockerCredentialStore({configDir: o.dockerConfigDir, env: o.env}),
    retry: o.retry,
  })
}

/**
 * The record a run travels as: only what the index stores, which the index redacted when it stored
 * it; passed through the same policy once more (redaction is idempotent: a marker stays a marker), so
 * a run stored by an older bakedoctor leaves redacted too.
 */
export function recordBytes(store: IndexStore, id: number): {record: HistoryRecord; json: string; gz: Buffer} {
  const redactor = store.redactor()
  const run = {...redactor.run(store.getRun(id))}
  const storedPlan = run.planHash ? store.getPlan(run.planHash) : undefined
  let plan: HistoryRecord['plan']
  if (run.planHash && storedPlan) {
    const redacted = redactor.plan(JSON.parse(storedPlan) as Plan)
    const json = canonicalPlanJson(redacted)
    plan = json === storedPlan ? {hash: run.planHash, json} : {hash: hashPlan(redacted), json}
    run.planHash = plan.hash
  }
  const facts = store.historyFacts(id)
  const baselineId = facts.baselineGlobalId === undefined ? store.findBaseline(id) : undefined
  const record: HistoryRecord = {
    schema: RECORD_SCHEMA,
    globalId: facts.globalId,
    baselineGlobalId: facts.baselineGlobalId ?? (baselineId !== undefined ? store.historyFacts(baselineId).globalId : undefined),
    // a pulled run keeps the salt it was recorded with; only runs recorded here carry this index's
    saltId: facts.saltId ?? store.saltId(),
    totals: store.storedTotals(id),
    plan,
    run,
  }
  const json = serializeRecord(record)
  return {record, json, gz: gzipSync(Buffer.from(json), {level: 9})}
}

/** What one run is pushed as: its gzip'd record (the layer) and its manifest in either form. */
export function runArtifact(store: IndexStore, id: number): {globalId: string; gz: Buffer; layer: {digest: string; size: number}; manifest(form: ManifestForm): Buffer} {
  const {record, json, gz} = recordBytes(store, id)
  const layer = {digest: 'sha256:' + createHash('sha256').update(gz).digest('hex'), size: gz.length}
  // annotations from the record as pushed (redacted), like the blob
  const annotations = runAnnotations(JSON.parse(json) as HistoryRecord)
  return {globalId: record.globalId, gz, layer, manifest: (form) => buildRunManifest(layer, annotations, form)}
}

function selectNewest<T extends {createdAt: number}>(items: T[], limit: number | undefined): T[] {
  if (limit === undefined || items.length <= limit) return items
  return [...items].sort((a, b) => a.createdAt - b.createdAt).slice(items.length - limit)
}

/** `bakedoctor history push`: every selected run the repository lacks becomes one tagged artifact. */
export async function pushHistory(o: PushOptions): Promise<PushResult> {
  const {text, ref} = await resolveHistoryRef(o)
  const store = await IndexStore.open(resolveDbPath(o), {readonly: true})
  let client: RegistryClient | undefined
  try {
    let runs = store.runsForHistory({branch: o.branch, since: o.since})
    if (o.runs?.length) {
      const wanted = new Set(o.runs.map((r) => store.resolveRunRef(r)))
      runs = runs.filter((r) => wanted.has(r.id))
    }
    runs = selectNewest(runs, o.limit)
    client = await connect(o, ref)
    const tags = new Set(await listTags(client, ref, o.tagLimits))
    const todo = runs.filter((r) => !tags.has(r.globalId))
    const result: PushResult = {ref: text, selected: runs.length, alreadyThere: runs.length - todo.length, pushed: []}
    if (todo.length === 0) return result
    const c = client
    await uploadBlob(c, ref, EMPTY_CONFIG, 'the empty config')
    // the first run finds out which manifest form the registry takes; the rest follow it
    let form: ManifestForm = 'oci-1.1'
    const pushOne = async (r: (typeof todo)[number]): Promise<PushedRun> => {
      const artifact = runArtifact(store, r.id)
      // a record names its global id: no other run shares its blob, so no HEAD first
      await uploadBlob(c, ref, artifact.gz, `the record of run ${r.globalId}`, {checkFirst: false})
      let digest: string
      try {
        digest = await putManifest(c, ref, r.globalId, artifact.manifest(form), OCI_MANIFEST_MEDIA_TYPE)
      } catch (error) {
        if (form === 'oci-1.0' || !refusesArtifactType(error)) throw error
        form = 'oci-1.0'
        digest = await putManifest(c, ref, r.globalId, artifact.manifest(form), OCI_MANIFEST_MEDIA_TYPE)
      }
      return {id: `r${r.id}`, globalId: r.globalId, manifestDigest: digest, recordBytes: artifact.gz.length}
    }
    const [first, ...rest] = todo
    result.pushed.push(await pushOne(first as (typeof todo)[number]))
    result.pushed.push(...(await mapLimit(rest, o.concurrency ?? DEFAULT_CONCURRENCY, pushOne)))
    result.manifestForm = form
    return result
  } finally {
    store.close()
    await client?.close()
  }
}

/** A registry before OCI 1.1 answers an unknown field / media type with 400 MANIFEST_INVALID or 415. */
function refusesArtifactType(error: unknown): boolean {
  return error instanceof RegistryError && (error.status === 400 || error.status === 415)
}

/** A registry answer that shows the content is not what the manifest promised: refused like bad input (exit 2). */
function asBadContent(error: unknown, where: string): unknown {
  if (error instanceof RegistryError && (error.code === 'digest-mismatch' || error.code === 'too-large')) {
    return new InputError(error.message, {file: where, fix: 'nothing was merged; delete or re-push that run (bakedoctor history push from the machine that has it), or raise --max-record-size if the record is genuinely that large'})
  }
  return error
}

/**
 * `bakedoctor history pull`: lists the run tags, fetches only the runs the index lacks (and the
 * filters keep), verifies every digest and size, then merges them in one transaction: a bad record
 * leaves the index as it was. Merging is idempotent: a run already present (by global id) is skipped.
 */
export async function pullHistory(o: PullOptions): Promise<PullResult> {
  const {text, ref} = await resolveHistoryRef(o)
  const limits = {
    maxRecordBytes: o.maxRecordBytes ?? HISTORY_LIMITS.maxRecordBytes,
    maxRecordJsonBytes: o.maxRecordJsonBytes ?? HISTORY_LIMITS.maxRecordJsonBytes,
    maxManifestBytes: o.maxManifestBytes ?? HISTORY_LIMITS.maxManifestBytes,
  }
  const db = resolveDbPath(o)
  const client = await connect(o, ref)
  let store: IndexStore | undefined
  try {
    const tags = (await listTags(client, ref, o.tagLimits)).filter(isGlobalId)
    store = await IndexStore.open(db, {create: true})
    const have = store.globalIds()
    const unknown = tags.filter((t) => !have.has(t))
    // the tag carries the creation time (to the second): --since needs no manifest
    const sinceSecond = o.since !== undefined ? Math.floor(o.since / 1000) * 1000 : undefined
    const candidates = unknown.filter((t) => sinceSecond === undefined || (createdAtOfGlobalId(t) ?? 0) >= sinceSecond).sort().reverse()
    const result: PullResult = {ref: text, db, listed: tags.length, known: tags.length - unknown.length, manifestsFetched: 0, fetched: 0, merged: [], filteredOut: unknown.length - candidates.length, notes: []}
    const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY
    // newest first, in batches, until --limit runs are chosen
    const chosen: Array<{tag: string; layer: {digest: string; size: number}}> = []
    for (let i = 0; i < candidates.length && (o.limit === undefined || chosen.length < o.limit); i += concurrency) {
      const batch = candidates.slice(i, i + concurrency)
      const artifacts = await mapLimit(batch, concurrency, async (tag) => {
        const where = `${text}:${tag}`
        try {
          const m = await client.getManifest(ref, {target: tag, maxBytes: limits.maxManifestBytes, accept: OCI_MANIFEST_MEDIA_TYPE})
          return {tag, artifact: parseRunManifest(m.bytes.toString('utf8'), where)}
        } catch (error) {
          throw asBadContent(error, where)
        }
      })
      result.manifestsFetched += batch.length
      for (const {tag, artifact} of artifacts) {
        const branchOk = o.branch === undefined || artifact.annotations[ANNOTATION.branch] === o.branch
        if (branchOk && (o.limit === undefined || chosen.length < o.limit)) chosen.push({tag, layer: artifact.layer})
        else result.filteredOut++
      }
    }
    result.filteredOut += candidates.length - result.manifestsFetched
    const records = await mapLimit(chosen, concurrency, async ({tag, layer}) => fetchRecord(client, ref, `${text}:${tag}`, tag, layer, limits))
    result.fetched = records.length
    records.sort((a, b) => a.run.createdAt - b.run.createdAt || (a.globalId < b.globalId ? -1 : 1))
    const s = store
    const saltId = s.saltId()
    const otherSalt = records.filter((r) => r.saltId !== saltId && JSON.stringify(r.run).includes('secret:')).length
    if (otherSalt > 0) {
      result.notes.push(
        `${otherSalt} pulled run(s) mask secrets with another index's salt: their secret build args cannot be compared with runs recorded here (explain cannot tell changed from unchanged); set BAKEDOCTOR_SECRET_SALT to one CI secret on every runner before its index is created`,
      )
    }
    result.merged = s.inTransaction(() => {
      const merged: PullResult['merged'] = []
      for (const record of records) {
        if (s.runIdOfGlobalId(record.globalId) !== undefined) continue
        const id = s.saveRun(record.run, {
          plan: record.plan,
          recorded: {globalId: record.globalId, origin: text, baselineGlobalId: record.baselineGlobalId, saltId: record.saltId === saltId ? undefined : record.saltId, totals: record.totals},
        })
        merged.push({id, globalId: record.globalId})
      }
      return merged
    })
    return result
  } finally {
    store?.close()
    await client.close()
  }
}

async function fetchRecord(
  client: RegistryClient,
  ref: ImageReference,
  where: string,
  tag: string,
  layer: {digest: string; size: number},
  limits: {maxRecordBytes: number; maxRecordJsonBytes: number},
): Promise<HistoryRecord> {
  const fix = 'nothing was merged; delete that tag, or raise --max-record-size if the record is genuinely that large'
  if (layer.size > limits.maxRecordBytes) {
    throw new InputError(`the run record ${layer.digest} is too large (${layer.size} bytes > limit ${limits.maxRecordBytes})`, {file: where, fix})
  }
  let gz: Buffer
  try {
    // bounded by the size the manifest promised: a longer body is refused while it streams
    gz = await client.getBlob(ref, layer.digest, {maxBytes: layer.size, what: `the run record ${layer.digest}`})
  } catch (error) {
    throw asBadContent(error, where)
  }
  if (gz.length !== layer.size) throw new InputError(`the run record ${layer.digest} has ${gz.length} bytes, its manifest says ${layer.size}`, {file: where, fix})
  let json: Buffer
  try {
    json = await gunzip(gz, {maxOutputLength: limits.maxRecordJsonBytes})
  } catch (error) {
    const tooBig = (error as {code?: string}).code === 'ERR_BUFFER_TOO_LARGE'
    throw new InputError(tooBig ? `the run record ${layer.digest} expands beyond ${limits.maxRecordJsonBytes} bytes` : `the run record ${layer.digest} is not gzip data (${(error as Error).message})`, {file: where, fix})
  }
  const record = parseRecord(json.toString('utf8'), where)
  if (record.globalId !== tag) throw new InputError(`the run record is run ${record.globalId}, but it is tagged ${tag}`, {file: where, fix})
  return record
}

/** `--since` values: an ISO date/time, or a duration back from now (`7d`, `12h`, `30m`). */
export function parseSince(text: string, now = Date.now()): number {
  const rel = /^(\d+)\s*([mhdw])$/i.exec(text.trim())
  if (rel) {
    const unit = {m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}[(rel[2] as string).toLowerCase() as 'm' | 'h' | 'd' | 'w']
    return now - Number(rel[1]) * unit
  }
  const t = Date.parse(text)
  if (Number.isNaN(t)) throw new UsageError(`--since "${text}" is not a date or a duration`, {fix: 'use an ISO date (2026-12-01, 2026-12-01T08:00Z) or a duration back from now (12h, 7d, 2w)'})
  return t
}
