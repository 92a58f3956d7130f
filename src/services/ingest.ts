import {readFile, stat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {IndexStore} from '../adapters/db/index-store.js'
import {resolveDbPath} from '../adapters/db/open.js'
import {readGitInfo} from '../adapters/git.js'
import {hashFileInBackground, hashingStream} from '../adapters/input/content-hash.js'
import {openEventSource, type BufferReuse, type EventSource} from '../adapters/input/read-events.js'
import {canonicalPlanJson, planFromPrintJson, planHash} from '../domain/bake/plan.js'
import {InputError} from '../domain/errors.js'
import type {EventFormat} from '../domain/events/stream-event.js'
import {formatSpec} from '../domain/events/formats.js'
import type {KeepLogs, Run} from '../domain/model/run.js'
import {formatOciPlatform, resolveRunPlatforms} from '../domain/model/run-platform.js'
import type {ProvenanceInput} from '../domain/provenance/sources.js'
import {RunRecording, saveRun, saveRunOnce, storeExplanationOf} from './record.js'

import type {IngestResult} from '../domain/results.js'

export type {IngestResult}

export interface IngestOptions {
  file: string
  db?: string
  cwd: string
  format?: EventFormat
  target?: string
  /** the platform of a single-platform build whose events and metadata do not name it (`--platform`) */
  platform?: string
  /** the Dockerfile the build used (`--dockerfile`): tells an ARG expanded into a step's text from an edit */
  dockerfile?: string
  metadataFile?: string
  /** SLSA provenance files (`--provenance`, repeatable): in-toto statements, one per platform, or a bundle */
  provenanceFiles?: string[]
  /** an image in a registry whose attestation manifests hold this build's provenance (`--provenance-from`) */
  provenanceFrom?: string
  /** its registry may be plain HTTP on loopback / unverified TLS (`--insecure`) */
  insecure?: boolean
  labels?: Record<string, string>
  /** record git commit/branch of cwd (default true) */
  git?: boolean
  stdin?: NodeJS.ReadableStream
  /** which steps keep a log tail (default: failed or unfinished ones) */
  keepLogs?: KeepLogs
  /** record it even when the same bytes were ingested before (`--again`) */
  again?: boolean
  /** a `docker buildx bake --print` JSON file: recorded as the run's plan (`--plan`) */
  planFile?: string
  /** the time of a plain log, which carries no clock, when it comes from stdin (default: now) */
  now?: number
}

const MAX_BROKEN_LINE_NOTES = 5

/**
 * `bakedoctor ingest`: the record pipeline (./record.ts) from a file: decode → fold → one transaction into the index (which redacts secrets on the way in).
 * Everything that can fail on bad input (decoding, the metadata file) happens before the index is
 * opened for writing, so a bad input changes nothing.
 */
export async function ingestFile(options: IngestOptions): Promise<IngestResult> {
  const dbPath = resolveDbPath({db: options.db, cwd: options.cwd})
  if (options.platform !== undefined && formatOciPlatform(options.platform) !== options.platform) {
    throw new InputError(`--platform "${options.platform}" is not a platform`, {fix: 'write it as os/arch[/variant], e.g. --platform linux/amd64'})
  }
  const fromStdin = options.file === '-'
  const stdin = fromStdin ? hashingStream(options.stdin ?? process.stdin) : undefined
  // the file's read buffers are reused once the fold has copied out what it keeps of them (set by recordSource)
  const reuse: BufferReuse = {release: () => undefined}
  const source = await openEventSource(options.file, {format: options.format, stdin: stdin?.stream, reuse})
  // what does not depend on the events runs beside the decoding: the file's hash on a worker
  // thread (a second core; stdin is hashed as it flows by), git in its own processes
  const hashing = stdin ? undefined : hashFileInBackground(options.file)
  const git = options.git !== false ? readGitInfo(options.cwd) : undefined
  try {
    return await recordSource(options, {source, reuse, dbPath, fromStdin, git, sourceSha256: stdin ? async () => stdin.digest() : hashing!.digest})
  } finally {
    hashing?.cancel()
  }
}

interface Pending {
  source: EventSource
  reuse: BufferReuse
  dbPath: string
  fromStdin: boolean
  git: Promise<Run['git']> | undefined
  /** the digest of the input, once it has all been read */
  sourceSha256: () => Promise<string>
}

async function recordSource(options: IngestOptions, {source, reuse, dbPath, fromStdin, git, sourceSha256: digest}: Pending): Promise<IngestResult> {
  const brokenLines: IngestResult['brokenLines'] = []
  const provenance: ProvenanceInput[] = []
  const recording = new RunRecording({
    target: options.target, keepLogs: options.keepLogs, source: source.format, sourceFile: fromStdin ? '<stdin>' : options.file,
    // a plain log has no clock (its times are synthetic): the run happened when the file was written
    ...(formatSpec(source.format).clockless ? {createdAt: fromStdin ? (options.now ?? Date.now()) : await fileTime(options.file, options.now)} : {}),
  }, (event) => {
    if (event.type === 'attestation') provenance.push({kind: 'text', text: event.text, file: options.file, entry: event.position.entry})
    if (event.type === 'skipped' && event.reason && brokenLines.length < MAX_BROKEN_LINE_NOTES && event.position.line !== undefined) brokenLines.push({line: event.position.line, reason: event.reason})
  })
  reuse.release = (buffer) => recording.releaseInput(buffer)
  if (source.batches) {
    for await (const batch of source.batches) recording.pushAll(batch)
  } else {
    for await (const event of source.events) recording.push(event)
  }
  let run = recording.finish()
  const events = recording.events
  if (events === 0 || run.steps.length === 0) {
    const broken = brokenLines[0] ? ` (line ${brokenLines[0].line}: ${brokenLines[0].reason})` : ''
    const what = events === 0 ? `no build events found: every line was skipped${broken}` : `no build steps found: ${events} event(s) decoded, but none announced a named vertex${broken}`
    throw new InputError(what, {
      file: options.file, position: {line: 1},
      fix: 'pass the stderr of `docker buildx build --progress=rawjson`, an Engine /build stream, a .dockerbuild file or a --progress=plain log',
    })
  }
  const metadataText = options.metadataFile ? await readInput(options.metadataFile, 'metadata file', '--metadata') : undefined
  // the metadata and provenance code loads only for inputs that have some (~5 ms of every other ingest)
  const sources = metadataText !== undefined || provenance.length || options.provenanceFiles?.length || options.provenanceFrom ? await import('../domain/provenance/sources.js') : undefined
  const parseMetadataFile = metadataText !== undefined ? (await import('../domain/metadata/parse-metadata.js')).parseMetadataFile : undefined
  if (metadataText !== undefined) provenance.push(...sources!.provenanceInMetadata(metadataText, options.metadataFile!))
  for (const file of options.provenanceFiles ?? []) provenance.push({kind: 'text', text: await readProvenanceFile(file), file})
  if (options.provenanceFrom) {
    const {fetchRegistryProvenance} = await import('./provenance-from-registry.js')
    provenance.push(...await fetchRegistryProvenance({ref: options.provenanceFrom, insecure: options.insecure, dockerConfigDir: process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'), env: process.env}))
  }
  const plan = options.planFile ? readPlanFile(options.planFile, await readInput(options.planFile, 'plan file', '--plan')) : undefined
  const sourceSha256 = await digest()

  const dockerfile = options.dockerfile !== undefined ? await readDockerfile(options.dockerfile) : undefined
  // a bad metadata file is refused before the index is opened (or created): nothing is touched
  if (metadataText !== undefined) parseMetadataFile!(metadataText, {salt: '', file: options.metadataFile, target: options.target})
  // bad provenance fails before the index is opened (or created); parsed again below with the index's salt
  if (provenance.length) sources!.parseProvenanceInputs(provenance, '')
  const store = await IndexStore.open(dbPath, {create: true})
  try {
    // the same bytes recorded before: say which run, change nothing (checked again when saving)
    const earlier = options.again ? undefined : store.findRunBySource(sourceSha256)
    if (earlier) return {run: store.getSummary(store.resolveRunRef(earlier)), format: source.format, skippedLines: run.skippedLines, brokenLines, db: dbPath, definitions: 0, notes: [], alreadyRecorded: true, sourceSha256}
    const salt = store.secretSalt()
    let secretValues: string[] = []
    if (metadataText !== undefined) {
      const parsed = parseMetadataFile!(metadataText, {salt, file: options.metadataFile, target: options.target})
      run.metadata = parsed.metadata
      secretValues = parsed.secretValues
    }
    let applied: {attached: number; notes: string[]} = {attached: 0, notes: []}
    if (provenance.length) {
      const parsed = sources!.parseProvenanceInputs(provenance, salt)
      const result = sources!.applyProvenance(run, parsed.records, {target: options.target, sources: [...new Set(provenance.map((p) => p.file))]})
      run = result.run
      applied = result
      secretValues = [...secretValues, ...parsed.secretValues]
    }
    const platforms = resolveRunPlatforms(run, {metadata: run.metadata?.platforms, declared: options.platform})
    if ('conflict' in platforms) {
      throw new InputError(platforms.conflict, {file: options.file, fix: 'drop --platform, or pass the platform this build was made for'})
    }
    run.platforms = platforms.platforms
    if (dockerfile) run.metadata = {...run.metadata, dockerfile}
    run.labels = {...options.labels}
    if (git) run.git = await git
    const request = {run, secretValues, plan, sourceSha256}
    const saved = options.again ? {id: saveRun(store, request), alreadyRecorded: false} : saveRunOnce(store, request)
    if (!saved.alreadyRecorded) await storeExplanationOf(store, saved.id)
    return {
      run: store.getSummary(store.resolveRunRef(saved.id)), format: source.format, skippedLines: run.skippedLines, brokenLines, db: dbPath,
      definitions: applied.attached, notes: [...applied.notes, ...(run.cutByLimits ?? []).map((cut) => `this run was cut by a limit: ${cut}`)], sourceSha256, ...(saved.alreadyRecorded ? {alreadyRecorded: true} : {}),
    }
  } finally {
    store.close()
  }
}

const MAX_PROVENANCE_BYTES = 64 * 1024 * 1024

async function readProvenanceFile(file: string): Promise<string> {
  try {
    const {size} = await stat(file)
    if (size > MAX_PROVENANCE_BYTES) {
      throw new InputError(`the provenance file is ${size} bytes, more than the ${MAX_PROVENANCE_BYTES}-byte limit`, {file, position: {offset: MAX_PROVENANCE_BYTES}, fix: 'pass one in-toto statement per platform (provenance.json), not an archive'})
    }
    return await readFile(file, 'utf8')
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError('cannot read the provenance file', {file, fix: 'check the --provenance path', cause: error})
  }
}

const MAX_DOCKERFILE_BYTES = 1024 * 1024

async function readDockerfile(file: string): Promise<{file: string; text: string}> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError('cannot read the Dockerfile', {file, fix: 'check the --dockerfile path', cause: error})
  }
  if (Buffer.byteLength(text) > MAX_DOCKERFILE_BYTES) throw new InputError(`the Dockerfile is larger than ${MAX_DOCKERFILE_BYTES} bytes`, {file, fix: 'pass the Dockerfile the build used'})
  const {parseDockerfile} = await import('../domain/dockerfile/parse.js')
  try {
    parseDockerfile(text, file)
  } catch (error) {
    if (error instanceof InputError) throw error.withFile(file)
    throw new InputError(`the Dockerfile does not parse: ${(error as Error).message}`, {file, fix: 'pass the Dockerfile the build used'})
  }
  return {file: annotationPath(file), text}
}

/** The Dockerfile's path as PR annotations name it: relative to the working directory (the repository root in CI) when inside it. */
function annotationPath(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file))
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : path.basename(file)
}

async function readInput(file: string, what: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError(`cannot read the ${what}`, {file, fix: `check the ${flag} path`, cause: error})
  }
}

/** `docker buildx bake --print` output → the canonical plan `build` records. */
function readPlanFile(file: string, text: string): {hash: string; json: string} {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    const offset = /position (\d+)/.exec((error as Error).message)?.[1]
    throw new InputError(`not JSON: ${(error as Error).message}`, {file, position: offset !== undefined ? {offset: Number(offset)} : undefined, fix: 'pass the output of `docker buildx bake --print` (JSON)'})
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || typeof (doc as {target?: unknown}).target !== 'object' || (doc as {target?: unknown}).target === null) {
    throw new InputError('not a bake plan: no "target" object', {file, position: {line: 1}, fix: 'pass the output of `docker buildx bake --print` (JSON with "group" and "target")'})
  }
  const plan = planFromPrintJson(doc)
  return {hash: planHash(plan), json: canonicalPlanJson(plan)}
}

/** A file's modification time (when it was written, i.e. when the build ran), else now. */
async function fileTime(file: string, now: number | undefined): Promise<number> {
  try {
    return (await stat(file)).mtimeMs
  } catch {
    return now ?? Date.now()
  }
}
