/**
 * Builders for hand-made `Explanation` / `RunDiff` values: the UI is built and tested against these
 * (the real explain service produces the same shapes).
 */
import type {Evidence, Explanation, RootCause, StepExplanation, Verdict} from '../../src/domain/explain/types.js'
import type {RunDiff} from '../../src/domain/diff/types.js'
import type {RunTotals} from '../../src/domain/model/run.js'

export const T0 = Date.UTC(2026, 10, 23, 14, 0, 0)

export function stepKey(s: {target?: string; platform?: string; stage?: string; index?: number; instruction: string}): string {
  const kind = s.instruction.split(' ')[0] ?? ''
  return [s.target ?? '', s.platform ?? '', s.stage ?? '', s.index ?? '', kind].join('|')
}

/** One step; a hit unless `cached: false` or a verdict is given. */
export function aStep(overrides: Partial<StepExplanation> & {instruction: string}): StepExplanation {
  const cached = overrides.cached ?? overrides.verdict === undefined
  const base: StepExplanation = {
    key: '',
    target: 'api',
    platform: 'linux/amd64',
    stage: 'build',
    index: 1,
    total: 6,
    cached,
    servedInRun: false,
    durationMs: cached ? 0 : 100,
    root: false,
    logTail: [],
    ...overrides,
  } as StepExplanation
  if (!overrides.key) base.key = stepKey(base)
  return base
}

export function totalsOf(steps: readonly StepExplanation[]): RunTotals {
  const hits = steps.filter((s) => s.cached && !s.servedInRun).length
  const servedInRun = steps.filter((s) => s.servedInRun).length
  const misses = steps.filter((s) => !s.cached).length
  const spentMs = steps.filter((s) => !s.cached).reduce((a, s) => a + s.durationMs, 0)
  const savedMs = hits * 50
  return {
    cacheable: steps.length,
    hits,
    servedInRun,
    misses,
    hitRate: steps.length ? hits / steps.length : null,
    timeWeightedHitRate: savedMs + spentMs > 0 ? savedMs / (savedMs + spentMs) : null,
    savedMs,
    spentMs,
  }
}

/** An explanation around `steps`; totals and root causes are derived unless given. */
export function anExplanation(steps: StepExplanation[], overrides: Partial<Explanation> = {}): Explanation {
  const rootCauses: RootCause[] = steps
    .filter((s) => s.root && !s.cached)
    .map((s) => ({
      key: s.key,
      verdict: s.verdict ?? 'new-step',
      label: label(s),
      summary: s.evidence?.summary ?? s.verdict ?? '',
      advice: s.advice,
      invalidatedSteps: s.invalidated?.steps ?? 1,
      invalidatedMs: s.invalidated?.ms ?? s.durationMs,
    }))
    .sort((a, b) => b.invalidatedMs - a.invalidatedMs)
  const targets = [...new Set(steps.map((s) => s.target).filter((t): t is string => !!t))]
  const platforms = [...new Set(steps.map((s) => s.platform).filter((t): t is string => !!t))]
  return {
    run: {id: 'r2', targets, platforms, status: 'completed', durationMs: 1220, createdAt: T0 + 60_000},
    baseline: {id: 'r1', targets, platforms, createdAt: T0},
    totals: totalsOf(steps),
    rootCauses,
    steps,
    removedSteps: [],
    notes: [],
    ...overrides,
  }
}

export function label(s: StepExplanation): string {
  const where = [s.target, s.platform, s.stage].filter(Boolean).join(' ')
  const idx = s.index !== undefined ? ` ${s.index}/${s.total ?? '?'}` : ''
  return `[${where}${idx}] ${s.instruction}`
}

const miss = (verdict: Verdict, evidence: Evidence, extra: Partial<StepExplanation> & {instruction: string}) =>
  aStep({cached: false, verdict, evidence, ...extra})

/**
 * Like the bundled r3-code-change capture: amd64 `COPY api/` missed (context-changed) and took its
 * RUN and the final COPY with it; arm64 missed everything although nothing changed (cache-unavailable).
 */
export function codeChangeExplanation(): Explanation {
  const amd = {target: 'api', platform: 'linux/amd64'}
  const arm = {target: 'api', platform: 'linux/arm64'}
  const copyApi = miss('context-changed', {
    summary: '1 file modified: api/main.txt',
    files: [{path: 'api/main.txt', change: 'modified'}],
  }, {...amd, stage: 'build', index: 4, instruction: 'COPY api/ ./api/', durationMs: 19, root: true, dockerfileLine: 14,
    advice: 'copy only the files this step needs, or add unrelated paths to .dockerignore', invalidated: {steps: 3, ms: 116}})
  const armWorkdir = miss('cache-unavailable', {
    summary: 'same inputs and parents as the baseline, but the cache did not serve it',
    cache: {reasons: ['cache ref 127.0.0.1:5000/app/buildcache:api lacks linux/arm64 (per-arch overwrite)']},
  }, {...arm, stage: 'deps', index: 2, total: 4, instruction: 'WORKDIR /app', durationMs: 59, root: true,
    advice: 'export one cache ref per platform (cache-to …:api-arm64)', invalidated: {steps: 9, ms: 505}})
  const steps: StepExplanation[] = [
    aStep({...amd, stage: 'deps', index: 2, total: 4, instruction: 'WORKDIR /app'}),
    aStep({...amd, stage: 'deps', index: 3, total: 4, instruction: 'COPY shared/lockfile.txt ./'}),
    aStep({...amd, stage: 'deps', index: 4, total: 4, instruction: 'RUN mkdir -p deps && cat lockfile.txt | tr a-z A-Z > deps/installed'}),
    aStep({...amd, stage: 'build', index: 2, instruction: 'WORKDIR /src'}),
    aStep({...amd, stage: 'build', index: 3, instruction: 'COPY --from=deps /app/deps ./deps', durationMs: 266}),
    copyApi,
    miss('upstream-invalidated', {summary: `descends from ${label(copyApi)}`, root: copyApi.key},
      {...amd, stage: 'build', index: 5, instruction: 'COPY shared/lib.txt ./', durationMs: 15}),
    miss('upstream-invalidated', {summary: `descends from ${label(copyApi)}`, root: copyApi.key},
      {...amd, stage: 'build', index: 6, instruction: 'RUN cat api/*.txt lib.txt > bundle.txt && sha256sum bundle.txt > bundle.sha', durationMs: 75,
        logTail: ['#12 0.050 bundle ok']}),
    miss('upstream-invalidated', {summary: `descends from ${label(copyApi)}`, root: copyApi.key},
      {...amd, stage: 'stage-2', index: 2, total: 2, instruction: 'COPY --from=build /src/bundle.txt /srv/', durationMs: 22}),
    armWorkdir,
    miss('upstream-invalidated', {summary: `descends from ${label(armWorkdir)}`, root: armWorkdir.key},
      {...arm, stage: 'deps', index: 3, total: 4, instruction: 'COPY shared/lockfile.txt ./', durationMs: 74}),
    miss('upstream-invalidated', {summary: `descends from ${label(armWorkdir)}`, root: armWorkdir.key},
      {...arm, stage: 'build', index: 6, instruction: 'RUN cat api/*.txt lib.txt > bundle.txt && sha256sum bundle.txt > bundle.sha', durationMs: 108}),
  ]
  return anExplanation(steps)
}

/** One RUN missed because NODE_ENV changed; a secret arg changed too (shown as "changed"). */
export function argChangedExplanation(): Explanation {
  const run = miss('arg-changed', {
    summary: 'NODE_ENV: production → development',
    args: [
      {name: 'NODE_ENV', old: 'production', new: 'development'},
      {name: 'NPM_TOKEN', secret: true},
    ],
  }, {target: 'api', platform: 'linux/amd64', stage: 'deps', index: 4, total: 4, instruction: 'RUN npm ci', durationMs: 4200, root: true,
    dockerfileLine: 9, advice: 'move ARG NODE_ENV below the expensive RUN', invalidated: {steps: 2, ms: 4300},
    logTail: ['added 312 packages in 4s', 'npm notice run `npm fund` for details']})
  const steps = [
    aStep({target: 'api', platform: 'linux/amd64', stage: 'deps', index: 2, total: 4, instruction: 'WORKDIR /app'}),
    aStep({target: 'api', platform: 'linux/amd64', stage: 'deps', index: 3, total: 4, instruction: 'COPY package.json package-lock.json ./'}),
    run,
    miss('upstream-invalidated', {summary: `descends from ${label(run)}`, root: run.key},
      {target: 'api', platform: 'linux/amd64', stage: 'build', index: 3, instruction: 'COPY --from=deps /app/node_modules ./node_modules', durationMs: 100}),
  ]
  return anExplanation(steps)
}

/** A big bake: `targets` × 2 platforms × 3 stages × `perStage` steps, every 25th a root cause with a short cascade. */
export function largeExplanation(totalSteps = 2400): Explanation {
  const steps: StepExplanation[] = []
  const platforms = ['linux/amd64', 'linux/arm64']
  const stages = ['deps', 'build', 'final']
  const perStage = 10
  const targets = Math.ceil(totalSteps / (platforms.length * stages.length * perStage))
  let rootKey: string | undefined
  outer: for (let t = 0; t < targets; t++) {
    for (const platform of platforms) {
      for (const stage of stages) {
        for (let i = 1; i <= perStage; i++) {
          if (steps.length >= totalSteps) break outer
          const n = steps.length
          const base = {target: `svc-${String(t).padStart(3, '0')}`, platform, stage, index: i, total: perStage}
          if (n % 25 === 0) {
            const s = miss('context-changed', {summary: '1 file modified', files: [{path: `src/f${n}.ts`, change: 'modified'}]},
              {...base, instruction: `COPY src/ ./src/ # ${n}`, durationMs: 40, root: true, invalidated: {steps: 3, ms: 400}})
            rootKey = s.key
            steps.push(s)
          } else if (n % 25 <= 2 && rootKey) {
            steps.push(miss('upstream-invalidated', {summary: 'cascade', root: rootKey}, {...base, instruction: `RUN make step-${n}`, durationMs: 180}))
          } else {
            steps.push(aStep({...base, instruction: `RUN make step-${n}`, durationMs: 0}))
          }
        }
      }
    }
  }
  return anExplanation(steps)
}

/** A RunDiff wrapping `explanation`, with a plan change and an input change. */
export function aRunDiff(explanation: Explanation = argChangedExplanation(), overrides: Partial<RunDiff> = {}): RunDiff {
  return {
    a: {id: 'r1', createdAt: T0, targets: ['api'], platforms: ['linux/amd64'], durationMs: 900, hitRate: 1},
    b: {id: 'r2', createdAt: T0 + 60_000, targets: ['api'], platforms: ['linux/amd64'], durationMs: 5100, hitRate: explanation.totals.hitRate},
    plan: [{target: 'api', attribute: 'args.NODE_ENV', old: 'production', new: 'development'}],
    inputs: [{key: explanation.steps[2]?.key ?? 'k', place: '[api linux/amd64 deps 3/4]', kind: 'arg', name: 'NODE_ENV', old: 'production', new: 'development'}],
    baseImages: [{ref: 'node:20', platform: 'linux/amd64', old: 'sha256:aaaaaaaaaaaa1111', new: 'sha256:aaaaaaaaaaaa1111'}],
    steps: [{key: explanation.steps[2]?.key ?? 'k', label: 'RUN npm ci', from: 'hit', to: 'miss', verdict: 'arg-changed', summary: 'NODE_ENV: production → development'}],
    added: [],
    removed: [],
    timing: {slowest: [{key: 'k', label: 'RUN npm ci', oldMs: 0, newMs: 4200}], totalOldMs: 900, totalNewMs: 5100},
    explanation,
    ...overrides,
  }
}
