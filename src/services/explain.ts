import {IndexStore, type LogTailsToRead} from '../adapters/db/index-store.js'
import {resolveDbPath} from '../adapters/db/open.js'
import type {ExplainOptions} from '../domain/explain/explain-run.js'
import type {Explanation} from '../domain/explain/types.js'
import type {Run} from '../domain/model/run.js'
import {explanationVersion} from './explanation-version.js'

export interface ExplainServiceOptions {
  db?: string
  cwd: string
  /** run ref; default latest */
  run?: string
  /** baseline ref; default: previous run of the same targets and platforms on the same branch */
  against?: string
  cacheFacts?: ExplainOptions['cacheFacts']
  /** whose log tails to read (default: failed steps', the only ones an explanation prints) */
  logs?: LogTailsToRead
  /** inspect the run's cache refs first and use what they hold as evidence (`--check-cache`) */
  checkCache?: Omit<import('./cache-check.js').CacheCheckOptions, 'db' | 'cwd' | 'run' | 'lenient'>
}

/** `bakedoctor explain`: loads the run and its baseline from the index and explains every miss. */
export async function explainRun(options: ExplainServiceOptions): Promise<Explanation> {
  if (options.checkCache) {
    const {checkRunCaches} = await import('./cache-check.js')
    const check = await checkRunCaches({...options.checkCache, db: options.db, cwd: options.cwd, run: options.run ?? 'latest', lenient: true})
    options = {...options, checkCache: undefined, cacheFacts: check.facts}
  }
  const store = await IndexStore.open(resolveDbPath(options), {readonly: true})
  try {
    return await explainWithStore(store, options)
  } finally {
    store.close()
  }
}

/**
 * `timeWeighted: false` skips the per-hit "cost when it last ran" lookups; `stepsListed: 'missed'`
 * lists only the missed steps, `'root causes'` only the root-cause steps (the gate: their target and
 * platform are all it reads of the steps). The stored explanation (computed with everything, and kept
 * also with only its root-cause steps) is used whenever it is current: same run, same baseline, index
 * unchanged since, same build (adapters/db/stored-explanation.ts).
 */
export async function explainWithStore(store: IndexStore, options: StoreExplainOptions): Promise<Explanation> {
  const id = store.resolveRunRef(options.run ?? 'latest')
  const baselineId = options.against ? store.resolveRunRef(options.against) : store.findBaseline(id)
  const rootStepsOnly = options.stepsListed === 'root causes'
  // the stored one holds failed steps' log tails only, and no registry facts
  if (!options.cacheFacts && options.logs !== 'all') {
    const json = store.storedExplanation({runId: id, baselineId, version: options.version ?? explanationVersion()}, rootStepsOnly ? 'gate_view' : 'body')
    if (json !== undefined) return JSON.parse(json) as Explanation
  }
  const explanation = await computeExplanation(store, id, baselineId, options)
  return rootStepsOnly ? withRootStepsOnly(explanation) : explanation
}

/** What a gate reads of an explanation: its root causes, and of its steps only theirs. */
function withRootStepsOnly(explanation: Explanation): Explanation {
  return {...explanation, steps: explanation.steps.filter((s) => s.root)}
}

type StoreExplainOptions = Omit<ExplainServiceOptions, 'db' | 'cwd'> & {
  timeWeighted?: boolean
  /** `root causes`: only the root-cause steps (what the gate reads: their target and platform) */
  stepsListed?: ExplainOptions['stepsListed'] | 'root causes'
  /** the build's name for stored explanations (default: explanationVersion(); tests give their own) */
  version?: string
}

/**
 * Runs of more steps are explained when asked, not at ingest: explaining reads the run and its baseline
 * whole (~6 kB of memory per step of each), so storing it took the ingest of a second 10,880-step run
 * (9,600 cacheable) from ~145 to ~210 MiB peak, over its 200 MB budget; with 5,440 steps it peaked at
 * ~160 MiB, with 2,720 at ~130 MiB.
 */
export const MAX_STORED_EXPLANATION_STEPS = 6000

/**
 * Explains a run just recorded against its default baseline and stores the result for `explain` and
 * `gate` (issue #17: they then read one row instead of two runs). True when stored; false for a run
 * with no baseline or over `maxSteps`, when another process wrote to the index meanwhile (the result
 * may be stale) or when the index predates the table. `version`: the build's name (tests give their own).
 */
export async function storeExplanation(store: IndexStore, runRef: string, options: {version?: string; maxSteps?: number} = {}): Promise<boolean> {
  const generation = store.generation()
  if (generation === undefined) return false
  const id = store.resolveRunRef(runRef)
  const baselineId = store.findBaseline(id)
  // a first run is explained cheaply when asked (one run to read, no rules to run against a
  // baseline): storing it would cost every first ingest more than it saves
  if (baselineId === undefined) return false
  if (store.getSummary(id).stepCount > (options.maxSteps ?? MAX_STORED_EXPLANATION_STEPS)) return false
  const version = options.version ?? explanationVersion()
  const run = store.getRun(id, {logs: 'failed'})
  const explanation = await computeExplanation(store, id, baselineId, {logs: 'failed'}, run)
  const {wholeRunGroups} = await import('../domain/gate/evaluate.js')
  return store.storeExplanation({runId: id, baselineId, version}, generation, {
    body: JSON.stringify(explanation), gateGroups: JSON.stringify(wholeRunGroups(run)), gateView: JSON.stringify(withRootStepsOnly(explanation)),
  })
}

async function computeExplanation(store: IndexStore, id: number, baselineId: number | undefined, options: StoreExplainOptions, run = store.getRun(id, {logs: options.logs ?? 'failed'})): Promise<Explanation> {
  // imported here: a stored explanation needs none of the rules
  const {explainRun: explainDomain} = await import('../domain/explain/explain-run.js')
  // the baseline's output is never shown
  const baseline = baselineId !== undefined ? store.getRun(baselineId, {logs: 'none'}) : undefined
  const stepsListed = options.stepsListed === 'root causes' ? 'missed' : options.stepsListed
  return explainDomain(run, baseline, {noCache: noCacheOf(store, run), cacheFacts: options.cacheFacts, lastExecutedMs: options.timeWeighted === false ? undefined : store.lastExecutedLookup(id), stepsListed})
}

/** no-cache / no-cache-filter per target from the run's recorded plan (bake --print shape). */
function noCacheOf(store: IndexStore, run: Run): ExplainOptions['noCache'] {
  const plan = store.getRunPlan(run)
  if (!plan) return undefined
  const out: NonNullable<ExplainOptions['noCache']> = {}
  for (const [name, t] of Object.entries(plan.target ?? {})) {
    if (t['no-cache'] || t['no-cache-filter']?.length) out[name] = {all: t['no-cache'] === true, filters: t['no-cache-filter']}
  }
  return out
}
