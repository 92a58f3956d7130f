import type {StreamEvent} from '../events/stream-event.js'
import type {Vertex} from '../events/solve-status.js'
import {type KeepLogs, type Run, type RunStatus, type Step} from '../model/run.js'
import {discoverTargets, parseVertexName} from './parse-vertex-name.js'
import {markServedInRun} from './served-in-run.js'
import {LOG_WINDOW_BYTES, LogTail, LogWindow} from './log-tail.js'

export {LOG_WINDOW_BYTES}

interface VertexState {
  digest: string
  name: string
  inputs: string[]
  /** started → completed (undefined while open); BuildKit re-sends snapshots, keyed by start */
  intervals: Map<number, number | undefined>
  cached: boolean
  completed: boolean
  error?: string
  firstSeen: number
  /** the build record (`.dockerbuild` bundle of a bake) this vertex came from */
  recordTarget?: string
}

/**
 * What one run may hold, whatever the input: memory is bounded by these, not by the stream. Far
 * above real builds (the largest bake in the fixtures has ~2,400 vertices). What a limit cuts is
 * counted and recorded with the run (`cutByLimits`), and shown by `show` and `explain`.
 */
export const FOLD_LIMITS = {
  /** distinct vertices (digest × name) per run; later new vertices are dropped */
  vertices: 20_000,
  /** vertices with buffered, not yet settled output at once (each holds up to LOG_WINDOW_BYTES) */
  logWindows: 2_000,
  /** bytes of log output buffered across all running vertices */
  totalLogBytes: 64 * 1024 * 1024,
  /** steps that keep a decoded log tail (each up to MAX_LOG_LINES × MAX_LOG_LINE_LENGTH) */
  logTails: 2_000,
} as const

export interface FoldOptions {
  /** which steps keep their log tail (default `failed`: failed or unfinished steps) */
  keepLogs?: KeepLogs
  /** the target of a single-target stream (`ingest --target api`); bake streams name their own */
  target?: string
  /** targets known from a plan or metadata file; help resolve `[X 2/4]` */
  knownTargets?: string[]
  source?: string
  sourceFile?: string
  createdAt?: number
}

/**
 * Folds a stream of events into a Run (docs/architecture.md, "Steps, identity and the hit rate"). Vertex records are snapshots: merged by digest
 * *and* name (bake announces one digest under several targets' names), OR for `cached`, last
 * non-empty `error`, intervals by start time. Memory is bounded by the number of vertices, not the
 * stream length: logs keep only a tail per vertex.
 */
export class RunFolder {
  private readonly vertices = new Map<string, VertexState>()
  private readonly namesByDigest = new Map<string, Set<string>>()
  /** undecoded output of vertices whose tail may still be wanted */
  private readonly windows = new Map<string, LogWindow>()
  /** the input buffer the latest base64 log pointed into, and the windows that point into each buffer */
  private inputBuffer?: ArrayBufferLike
  private windowsInInput = new Set<LogWindow>()
  private readonly windowsByBuffer = new Map<ArrayBufferLike, Set<LogWindow>>()
  /** the input says when it reuses a buffer (releaseInput): windows copy out only then, not whenever the input moves on */
  private explicitRelease = false
  /** decoded tails of vertices whose tail is wanted */
  private readonly tails = new Map<string, LogTail>()
  private readonly keepLogs: KeepLogs
  private buildError?: string
  /** the record (bake target) the build error came from */
  private buildErrorTarget?: string
  private readonly recordTargets = new Set<string>()
  private skipped = 0
  private order = 0
  private droppedVertices = 0
  private droppedLogChunks = 0
  private droppedTails = 0
  private droppedLogBytes = 0
  private bufferedLogBytes = 0
  private recordTarget?: string
  private recordPlatforms?: string[]
  private recordStatus?: RunStatus
  private recordCreatedAt?: number
  /** target of the record whose events follow (multi-record `.dockerbuild` bundles) */
  private currentRecordTarget?: string

  constructor(private readonly options: FoldOptions = {}) {
    this.keepLogs = options.keepLogs ?? 'failed'
  }

  push(event: StreamEvent): void {
    switch (event.type) {
      case 'status': {
        for (const v of event.status.vertexes ?? []) {
          this.addVertex(v)
          // a finished vertex's output is complete: decode it now if it is wanted, else drop it
          if (v.completed !== undefined) this.settleLogs(v.digest, this.keepLogs === 'all' || (this.keepLogs === 'failed' && v.error !== undefined))
        }
        if (this.keepLogs === 'none') break
        for (const log of event.status.logs ?? []) {
          const range = log.base64In
          if (!log.vertex || (range ? range.end === range.start : log.data.length === 0)) continue
          if (range && range.source.buffer !== this.inputBuffer) {
            // the input moved on to its next read buffer: windows copy out what they keep of the last
            // (with explicit releases, only when that buffer is reused: most steps finish before)
            if (!this.explicitRelease && this.inputBuffer) this.release(this.inputBuffer)
            this.inputBuffer = range.source.buffer
            let windows = this.windowsByBuffer.get(this.inputBuffer)
            if (!windows) this.windowsByBuffer.set(this.inputBuffer, (windows = new Set()))
            this.windowsInInput = windows
          }
          let window = this.windows.get(log.vertex)
          const size = range ? ((range.end - range.start) >> 2) * 3 : log.data.length
          if ((!window && this.windows.size >= FOLD_LIMITS.logWindows) || this.bufferedLogBytes >= FOLD_LIMITS.totalLogBytes) {
            this.droppedLogChunks++
            this.droppedLogBytes += size
            continue
          }
          if (!window) this.windows.set(log.vertex, (window = new LogWindow()))
          this.bufferedLogBytes += window.push(log)
          if (range) this.windowsInInput.add(window)
        }
        break
      }
      case 'build-error':
        this.addBuildError(event.message)
        break
      case 'skipped':
        this.skipped++
        break
      case 'record':
        this.recordTarget ??= event.record.target
        this.currentRecordTarget = event.record.target
        if (event.record.target) this.recordTargets.add(event.record.target)
        this.recordPlatforms ??= event.record.platforms
        // several records (a bake bundle): one failure fails the run, else one cancellation cancels it
        if (event.record.status === 'failed') this.recordStatus = 'failed'
        else if (event.record.status === 'cancelled' && this.recordStatus !== 'failed') this.recordStatus = 'cancelled'
        if (event.record.error) this.addBuildError(event.record.error, {target: event.record.target})
        this.recordCreatedAt ??= event.record.createdAt
        break
      case 'result':
        break
    }
  }

  /**
   * The input is about to overwrite `buffer` (a read buffer base64 logs pointed into): windows copy
   * out what they keep of it. From the first call on, that is the only time they copy.
   */
  releaseInput(buffer: ArrayBufferLike): void {
    this.explicitRelease = true
    this.release(buffer)
  }

  private release(buffer: ArrayBufferLike): void {
    for (const w of this.windowsByBuffer.get(buffer) ?? []) w.detach(buffer)
    this.windowsByBuffer.delete(buffer)
    if (buffer === this.inputBuffer) {
      this.inputBuffer = undefined
      this.windowsInInput = new Set()
    }
  }

  /**
   * The run's error: the first real one. A bake bundle's sibling records end "context canceled"
   * because one record failed (e.g. `dockerfile parse error on line 2: …`): that failure is the
   * error, not the cancellations it caused.
   */
  private addBuildError(message: string, record?: {target?: string}): void {
    // a stream's later error line is the fuller one; a bundle's first failed record is the cause
    const replace = this.buildError === undefined || (isCancellation(this.buildError) ? !isCancellation(message) : !record && !isCancellation(message))
    if (replace) {
      const target = record?.target
      this.buildError = message
      this.buildErrorTarget = target
    }
  }

  /** Moves a vertex's buffered output into its decoded tail (`keep`) or drops it. */
  private settleLogs(digest: string, keep: boolean): void {
    const window = this.windows.get(digest)
    if (window) {
      this.windows.delete(digest)
      this.bufferedLogBytes -= window.heldBytes
    }
    if (!keep) {
      // nothing to copy out of a reused buffer for it any more
      window?.discard()
      return
    }
    let tail = this.tails.get(digest)
    if (!tail && this.tails.size >= FOLD_LIMITS.logTails) {
      this.droppedTails++
      return
    }
    if (!tail) this.tails.set(digest, (tail = new LogTail()))
    window?.drainInto(tail)
  }

  private addVertex(v: Vertex): void {
    const names = v.name !== undefined ? [v.name] : [...(this.namesByDigest.get(v.digest) ?? [])]
    for (const name of names) {
      const key = `${v.digest}\u0000${name}\u0000${this.currentRecordTarget ?? ''}`
      let state = this.vertices.get(key)
      if (!state) {
        if (this.vertices.size >= FOLD_LIMITS.vertices) {
          this.droppedVertices++
          continue
        }
        state = {digest: v.digest, name, inputs: [], intervals: new Map(), cached: false, completed: false, firstSeen: this.order++, recordTarget: this.currentRecordTarget}
        this.vertices.set(key, state)
        let set = this.namesByDigest.get(v.digest)
        if (!set) this.namesByDigest.set(v.digest, (set = new Set()))
        set.add(name)
      }
      if (v.inputs?.length) state.inputs = v.inputs
      if (v.cached) state.cached = true
      if (v.error) state.error = v.error
      if (v.started !== undefined) {
        const prev = state.intervals.get(v.started)
        state.intervals.set(v.started, v.completed ?? prev)
      }
      if (v.completed !== undefined) state.completed = true
    }
  }

  finish(): Run {
    const names = [...this.vertices.values()].map((v) => v.name)
    const known = discoverTargets(names)
    for (const t of this.options.knownTargets ?? []) known.add(t)

    let runStart: number | undefined
    let runEnd: number | undefined
    const steps: Step[] = []
    const ordered = [...this.vertices.values()].sort((a, b) => a.firstSeen - b.firstSeen)
    for (const v of ordered) {
      const parsed = parseVertexName(v.name, known)
      const {start, end, durationMs} = intervalUnion(v.intervals)
      if (start !== undefined) runStart = runStart === undefined ? start : Math.min(runStart, start)
      if (end !== undefined) runEnd = runEnd === undefined ? end : Math.max(runEnd, end)
      const step: Step = {
        digest: v.digest,
        name: v.name,
        target: parsed.target ?? v.recordTarget ?? this.options.target,
        platform: parsed.platform,
        stage: parsed.stage,
        index: parsed.index,
        total: parsed.total,
        kind: parsed.kind,
        instruction: parsed.instruction,
        internal: parsed.internal,
        cacheable: parsed.cacheable,
        cached: v.cached,
        servedInRun: false,
        completed: v.completed,
        started: start,
        finished: end,
        durationMs,
        error: v.error,
        inputs: v.inputs,
        logTail: [],
      }
      const wantTail = this.keepLogs === 'all' || (this.keepLogs === 'failed' && (v.error !== undefined || (start !== undefined && !v.completed)))
      if (wantTail) {
        this.settleLogs(v.digest, true)
        // past FOLD_LIMITS.logTails a step keeps no tail (counted in the run's limit notes)
        step.logTail = this.tails.get(v.digest)?.finish().slice() ?? []
      }
      if (step.target === undefined) delete step.target
      steps.push(step)
    }
    markServedInRun(steps)

    const targets = uniqueSorted(steps.map((s) => s.target))
    const stepPlatforms = uniqueSorted(steps.map((s) => s.platform))
    const platforms = stepPlatforms.length ? stepPlatforms : (this.recordPlatforms ?? [])
    const status = this.runStatus(steps)
    const errorStep = steps.find((s) => s.error && !isCancellation(s.error) && !(s.internal && isCacheImport(s.instruction)))
    // in a bundle of several records, say which one failed
    const buildError = this.buildError !== undefined && this.buildErrorTarget && this.recordTargets.size > 1 ? `${this.buildErrorTarget}: ${this.buildError}` : this.buildError
    return {
      source: this.options.source ?? 'rawjson',
      sourceFile: this.options.sourceFile,
      createdAt: this.options.createdAt ?? this.recordCreatedAt ?? runStart ?? Date.now(),
      startedAt: runStart,
      finishedAt: runEnd,
      durationMs: runStart !== undefined && runEnd !== undefined ? runEnd - runStart : 0,
      status,
      error: status === 'failed' ? (errorStep ? `${errorStep.name}: ${errorStep.error}` : buildError) : status === 'cancelled' ? 'cancelled' : undefined,
      targets,
      platforms,
      steps,
      labels: {},
      skippedLines: this.skipped,
      ...this.limitNotes(),
    }
  }

  private limitNotes(): {cutByLimits?: string[]} {
    const notes: string[] = []
    const n = (x: number) => x.toLocaleString('en-US')
    if (this.droppedVertices) notes.push(`more than ${n(FOLD_LIMITS.vertices)} vertices: ${n(this.droppedVertices)} record(s) of further vertices were dropped; steps and totals cover the first ${n(FOLD_LIMITS.vertices)}`)
    if (this.droppedLogChunks) {
      notes.push(`log output over the limits (${n(FOLD_LIMITS.logWindows)} running vertices, ${FOLD_LIMITS.totalLogBytes / 1024 / 1024} MiB buffered): ${n(this.droppedLogChunks)} chunk(s), ${n(this.droppedLogBytes)} bytes, not kept; some log tails may be incomplete`)
    }
    if (this.droppedTails) notes.push(`more than ${n(FOLD_LIMITS.logTails)} steps with log tails: ${n(this.droppedTails)} further step(s) keep no log tail`)
    return notes.length ? {cutByLimits: notes} : {}
  }

  private runStatus(steps: Step[]): RunStatus {
    if (this.recordStatus === 'failed' || this.recordStatus === 'cancelled') return this.recordStatus
    // a cache import that fails (ref not pushed yet, HTTP vs HTTPS) is a warning: BuildKit builds on
    const errors = steps.filter((s) => s.error && !(s.internal && isCacheImport(s.instruction)))
    if (errors.some((s) => !isCancellation(s.error!)) || (this.buildError && !isCancellation(this.buildError))) return 'failed'
    if (errors.length || (this.buildError && isCancellation(this.buildError))) return 'cancelled'
    // a vertex that started and never completed: the stream was cut mid-build
    if (steps.some((s) => s.started !== undefined && !s.completed)) return 'incomplete'
    return 'completed'
  }
}

function isCacheImport(instruction: string): boolean {
  return instruction.startsWith('importing cache manifest from ')
}

function isCancellation(error: string): boolean {
  return /context canceled|cancelled|canceled/i.test(error)
}

function uniqueSorted(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))].sort()
}

/** Union of closed intervals (progressui semantics: duration = union, events.md §1.3). */
export function intervalUnion(intervals: Map<number, number | undefined>): {start?: number; end?: number; durationMs: number} {
  const closed = [...intervals].filter((e): e is [number, number] => e[1] !== undefined).sort((a, b) => a[0] - b[0])
  const starts = [...intervals.keys()]
  const start = starts.length ? Math.min(...starts) : undefined
  let total = 0
  let curStart: number | undefined
  let curEnd = -Infinity
  let end: number | undefined
  for (const [s, e] of closed) {
    end = end === undefined ? e : Math.max(end, e)
    if (curStart === undefined || s > curEnd) {
      if (curStart !== undefined) total += curEnd - curStart
      curStart = s
      curEnd = e
    } else curEnd = Math.max(curEnd, e)
  }
  if (curStart !== undefined) total += curEnd - curStart
  return {start, end, durationMs: Math.max(0, Math.round(total * 1000) / 1000)}
}
