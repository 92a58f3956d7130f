/**
 * Issue #19 "sort steps by target, platform, stage order and index everywhere", on the real
 * captures. Expected orders are written from the Dockerfiles that were built, not from output:
 * - provenance-0.11 (app-context/Dockerfile): stages `deps` (FROM line 1, 6 instructions), `build`
 *   (line 8, 6), the unnamed final stage `stage-2` (line 15, 6); two platforms. BuildKit reported
 *   them out of that order (p3 starts with `stage-2`, p1 with arm64 `build`), and by name `build`
 *   sorts before `deps`.
 * - bake-0.10 (mono-context/services/{api,worker}/Dockerfile): per target `deps`, `build` (FROM deps),
 *   `stage-2` (COPY --from=build).
 * p3 vs p2 (CHANGE.md): amd64 `build 5/5` (Dockerfile line 12) and `stage-2 2/2` missed; every arm64
 * step missed (cache-unavailable).
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {explainRun as explainDomain} from '../../src/domain/explain/explain-run.js'
import {checkRunAgainstCaches} from '../../src/domain/explain/cache-evidence.js'
import type {CacheSummary} from '../../src/domain/oci/cache-summary.js'
import {sortSteps, stepOrder} from '../../src/domain/model/step-order.js'
import {renderGithubAnnotations, placedCauses, renderCodeQuality} from '../../src/output/annotations.js'
import {renderDiffText} from '../../src/output/diff-text.js'
import {renderExplanationMarkdown, renderExplanationText} from '../../src/output/explain-text.js'
import {renderRunDetail} from '../../src/output/runs-text.js'
import {diffRuns} from '../../src/services/diff.js'
import {explainRun} from '../../src/services/explain.js'
import {ingestFile} from '../../src/services/ingest.js'
import {showRun} from '../../src/services/runs.js'
import {buildModel} from '../../src/ui/state/step-tree.js'
import {buildReport} from '../../src/domain/report/build-report.js'
import type {RunSummary} from '../../src/domain/model/run-summary.js'
import {renderReportHtml} from '../../src/output/report-html.js'
import {bakeCapture, FIXTURES, foldFile} from '../helpers/fixtures.js'

const dir = (run: string) => path.join(FIXTURES, 'provenance-0.11', run)
const STAGES = ['deps', 'build', 'stage-2']
/** every (platform, stage) in Dockerfile order, per platform */
const PLACES = ['linux/amd64', 'linux/arm64'].flatMap((p) => STAGES.map((s) => `${p} ${s}`))

/** `[linux/amd64 deps 2/6] …` labels in the order they appear in `text` → distinct "platform stage" places, and the indexes per place. */
function placesIn(text: string): {places: string[]; indexes: Map<string, number[]>} {
  const places: string[] = []
  const indexes = new Map<string, number[]>()
  for (const m of text.matchAll(/\[(?:(api|worker) )?(linux\/\w+) ([\w-]+) (\d+)\/\d+\]/g)) {
    const place = [m[1], m[2], m[3]].filter(Boolean).join(' ')
    if (places.at(-1) !== place) places.push(place)
    indexes.set(place, [...(indexes.get(place) ?? []), Number(m[4])])
  }
  return {places, indexes}
}

const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! <= x)

async function ingestPair(withProvenance: boolean): Promise<{db: string; cwd: string; p2: string; p3: string}> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'bd-step-order-'))
  const db = path.join(cwd, 'index.db')
  const provenance = ['provenance.linux_amd64.json', 'provenance.linux_arm64.json']
  const ingest = async (run: string) => (await ingestFile({file: path.join(dir(run), 'rawjson.json'), db, cwd, git: false, provenanceFiles: withProvenance ? provenance.map((f) => path.join(dir(run), f)) : []})).run.id
  return {db, cwd, p2: await ingest('p2-warm'), p3: await ingest('p3-build-mode')}
}

describe('one step order everywhere (real captures)', () => {
  it('with provenance: explain (steps, text, markdown), annotations, diff, show and the TUI tree go deps → build → stage-2 per platform', async () => {
    const {db, cwd, p2, p3} = await ingestPair(true)
    const ex = await explainRun({db, cwd, run: p3, against: p2})

    // --json prints the explanation: its steps
    const fromJson = ex.steps.map((s) => `${s.platform} ${s.stage}`).filter((p, i, all) => all[i - 1] !== p)
    expect(fromJson).toEqual(PLACES)
    for (const place of PLACES) expect(ascending(ex.steps.filter((s) => `${s.platform} ${s.stage}` === place).map((s) => s.index!))).toBe(true)

    const text = placesIn(renderExplanationText(ex, {all: true}).split('\nSteps\n')[1]!)
    expect(text.places).toEqual(PLACES)
    for (const xs of text.indexes.values()) expect(ascending(xs)).toBe(true)
    // markdown: every miss (amd64: build 5/5, stage-2 2/2; arm64: all)
    const missRows = renderExplanationMarkdown(ex).split('All misses')[1]!.split('\n').filter((l) => l.startsWith('| `'))
    expect(placesIn(missRows.map((l) => l.split(' | ')[0]).join('\n')).places).toEqual(['linux/amd64 build', 'linux/amd64 stage-2', ...PLACES.slice(3)])

    // annotations: amd64 before arm64, each in Dockerfile line order
    const annotations = renderGithubAnnotations(placedCauses(ex)).split('\n').filter((l) => l.startsWith('::warning'))
    const placed = annotations.map((l) => ({platform: /::\[(linux\/\w+)/.exec(l)![1]!, line: Number(/line=(\d+)/.exec(l)![1])}))
    expect(placed.length).toBeGreaterThan(1)
    expect(placed.map((p) => p.platform)).toEqual([...placed.filter((p) => p.platform === 'linux/amd64'), ...placed.filter((p) => p.platform === 'linux/arm64')].map((p) => p.platform))
    for (const platform of ['linux/amd64', 'linux/arm64']) expect(ascending(placed.filter((p) => p.platform === platform).map((p) => p.line))).toBe(true)
    const quality = JSON.parse(renderCodeQuality(placedCauses(ex))) as {location: {lines: {begin: number}}; content: {body: string}}[]
    expect(quality.map((q) => `${/linux\/\w+/.exec(q.content.body)![0]} ${q.location.lines.begin}`)).toEqual(placed.map((p) => `${p.platform} ${p.line}`))

    // diff: the hit → miss transitions (amd64 build 5/5 and stage-2 2/2, every arm64 step) in step order
    const diff = await diffRuns({db, cwd, a: p2, b: p3})
    expect(placesIn(diff.steps.map((s) => s.label).join('\n')).places).toEqual(['linux/amd64 build', 'linux/amd64 stage-2', ...PLACES.slice(3)])
    expect(placesIn(renderDiffText(diff).split('\nSteps\n')[1]!.split('\nTiming')[0]!.replace(/ {2}— .*/g, '')).places).toEqual(['linux/amd64 build', 'linux/amd64 stage-2', ...PLACES.slice(3)])

    // show: the stage groups
    const show = renderRunDetail(await showRun({db, cwd, run: p3}))
    expect([...show.matchAll(/^default \/ (linux\/\w+) \/ ([\w-]+)$/gm)].map((m) => `${m[1]} ${m[2]}`)).toEqual(PLACES)

    // TUI: platform → stage groups of the tree
    const model = buildModel(ex)
    expect(model.tree.flatMap((platform) => platform.groups.map((stage) => `${platform.label} ${stage.label}`))).toEqual(PLACES)
  })

  it('without provenance the build graph orders the stages the same (COPY --from=deps, COPY --from=build)', async () => {
    const {db, cwd, p3} = await ingestPair(false)
    const detail = await showRun({db, cwd, run: p3})
    expect(stepOrder(detail.run).sources.get('')).toBe('build-graph')
    expect([...renderRunDetail(detail).matchAll(/^default \/ (linux\/\w+) \/ ([\w-]+)$/gm)].map((m) => `${m[1]} ${m[2]}`)).toEqual(PLACES)
    // p1-cold: BuildKit reported arm64 `build` first
    const p1 = await foldFile(path.join(dir('p1-cold'), 'rawjson.json'))
    expect(`${p1.steps.find((s) => s.index !== undefined)!.platform} ${p1.steps.find((s) => s.index !== undefined)!.stage}`).not.toBe('linux/amd64 deps')
    expect(sortSteps(p1).filter((s) => s.index !== undefined).map((s) => `${s.platform} ${s.stage}`).filter((p, i, all) => all[i - 1] !== p)).toEqual(PLACES)
  })

  it('a bake: targets by name, then platform, then stage order (b1-cold vs b3-worker-edit)', async () => {
    const ex = explainDomain(await foldFile(bakeCapture('b1-cold')), await foldFile(bakeCapture('b3-worker-edit')))
    const expected = ['api', 'worker'].flatMap((t) => PLACES.map((p) => `${t} ${p}`))
    expect(ex.steps.map((s) => `${s.target} ${s.platform} ${s.stage}`).filter((p, i, all) => all[i - 1] !== p)).toEqual(expected)

    // report --html: worker's cache-unavailable `deps 2/4` (WORKDIR) invalidated the rest of deps, build (FROM deps) and stage-2 2/2
    const summary = {id: 'r2', createdAt: 0, durationMs: 0, status: 'completed', source: 'rawjson', targets: ['api', 'worker'], platforms: [], labels: {}, cacheable: 0, hits: 0, servedInRun: 0, hitRate: null, timeWeightedHitRate: null, stepCount: 0} as unknown as RunSummary
    const html = renderReportHtml(buildReport([{summary, byTargetPlatform: [], explanation: ex}], {generatedAt: 0, filter: {}}))
    const workerRoot = html.split('<section id="last-run">')[1]!.split('<li class="root-cause"').slice(1).find((li) => li.includes('[worker linux/amd64 deps 2/4]'))!
    const cascade = placesIn(workerRoot.split('<details>')[1]!)
    // (its arm64 twin has the same evidence: one entry, both chains, amd64 first)
    expect(cascade.places).toEqual(PLACES.map((p) => `worker ${p}`))
    for (const xs of cascade.indexes.values()) expect(ascending(xs)).toBe(true)
  })
})

describe('the final stage is the last in Dockerfile order, not the last BuildKit announced', () => {
  it('cache check: a mode=min ref serves only stage-2 (the image) of every p-run, whatever order the stages were reported in', async () => {
    // what a mode=min ref's summary says; platforms unknown, so a final-stage step is `unknown`, never cut by mode
    const minRef = {ref: '127.0.0.1:5001/shop/cache:main', layout: 'registry', mode: {value: 'min'}, platforms: {status: 'unknown', note: 'platforms not inspected', coverage: [], serves: []}} as unknown as CacheSummary
    for (const name of ['p1-cold', 'p2-warm', 'p3-build-mode', 'p5-src-edit', 'p7-run-edit']) {
      const checks = checkRunAgainstCaches(await foldFile(path.join(dir(name), 'rawjson.json')), [minRef])
      const stageOf = (label: string) => /[[ ](deps|build|stage-2) /.exec(label)![1]!
      const verdicts = checks.map((c) => `${stageOf(c.label)} ${c.refs[0]!.verdict}`)
      expect(new Set(verdicts), name).toEqual(new Set(['deps cannot-serve', 'build cannot-serve', 'stage-2 unknown']))
      // and the list is in step order
      expect(checks.map((c) => stageOf(c.label)).filter((p, i, all) => all[i - 1] !== p).slice(0, 3), name).toEqual(STAGES)
    }
  })
})
