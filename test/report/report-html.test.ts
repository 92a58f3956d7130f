/// <reference lib="dom" />
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ARTIFACTS, chromiumSkipReason, launchChromium} from '../helpers/chromium.js'
import {runCli} from '../helpers/cli.js'
import {FIXTURES} from '../helpers/fixtures.js'

type Json = any
const captures = path.join(FIXTURES, 'buildkit-0.11-rawjson')
// the four multi-platform captures of the demo, recorded as r1..r4 (see the capture README)
const RUNS = ['r1-cold', 'r2-warm-remote', 'r3-code-change', 'r6-base-moved']

let root: string
let db: string

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'bakedoctor-report-'))
  db = path.join(root, 'index.db')
  for (const r of RUNS) {
    // with the Dockerfile they were built from, as `npm run demo` records them: steps get their lines
    const res = await runCli(['ingest', path.join(captures, r, 'rawjson.json'), '--target', 'api', '--metadata', path.join(captures, r, 'metadata.json'), '--dockerfile', path.join(captures, 'app-context', 'api', 'Dockerfile'), '--no-git', '--db', db])
    expect(res.exitCode, res.stderr).toBe(0)
  }
})

afterAll(() => rmSync(root, {recursive: true, force: true}))

const skip = chromiumSkipReason()

describe.skipIf(skip !== undefined)(`report --html in a real headless Chromium${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  it('loads with no console errors and no network, one chart point per run, the numbers of `runs --json`', async () => {
    const file = path.join(root, 'report.html')
    const res = await runCli(['report', '--html', file, '--db', db])
    expect(res.exitCode, res.stderr).toBe(0)
    expect(res.stdout).toContain(`Wrote ${file}: 4 runs, 2 target/platform series`)
    const html = readFileSync(file, 'utf8')
    // self-contained: no script, no link, no reference to anything outside the file
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|\bsrc=|\bhref=/i)

    const runs = ((await runCli(['runs', '--json', '--db', db])).json as Json).runs.slice().reverse() as Json[]
    expect(runs.map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4'])

    const browser = await launchChromium()
    try {
      const page = await browser.context.newPage()
      const problems: string[] = []
      const requests: string[] = []
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`)
      })
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
      page.on('request', (r) => requests.push(r.url()))
      await page.goto(pathToFileURL(file).href, {waitUntil: 'load'})
      expect(problems).toEqual([])
      expect(requests).toEqual([pathToFileURL(file).href])
      // nothing wider than the window: long digests and advice wrap instead of pushing a table out
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1240)

      // one point per run on each line of the overall chart, in run order
      const overall = page.locator('figure[data-series="overall"]')
      expect(await overall.locator('circle.point.hit-rate').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-run')))).toEqual(['r1', 'r2', 'r3', 'r4'])
      // per target and platform: both platforms of api, each built in every run
      expect(await page.locator('figure.rate').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-series')))).toEqual(['overall', 'api linux/amd64', 'api linux/arm64'])
      for (const series of ['api linux/amd64', 'api linux/arm64']) {
        expect(await page.locator(`figure[data-series="${series}"] circle.point.hit-rate`).count()).toBe(4)
      }
      // r3: amd64 5/9, arm64 0/9 (capture README)
      expect(await page.locator('figure[data-series="api linux/amd64"] circle.point.hit-rate[data-run="r3"]').getAttribute('data-rate')).toBe('55.6%')
      expect(await page.locator('figure[data-series="api linux/arm64"] circle.point.hit-rate[data-run="r3"]').getAttribute('data-rate')).toBe('0%')

      // the runs table shows what `runs --json` says, and the chart points agree with it
      const rows = await page.locator('#runs-table tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          id: tr.getAttribute('data-run'),
          hits: tr.querySelector('.hits')!.textContent,
          hitRate: tr.querySelector('.hit-rate')!.textContent,
          timeWeighted: tr.querySelector('.time-weighted')!.textContent,
        })),
      )
      const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 1000) / 10}%`)
      expect(rows).toEqual(runs.map((r) => ({id: r.id, hits: `${r.hits}/${r.cacheable}`, hitRate: pct(r.hitRate), timeWeighted: pct(r.timeWeightedHitRate)})))
      // and by hand, from the capture README
      expect(rows.map((r) => `${r.hits} ${r.hitRate}`)).toEqual(['0/18 0%', '18/18 100%', '5/18 27.8%', '0/18 0%'])
      expect(await overall.locator('circle.point.hit-rate').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-rate')))).toEqual(rows.map((r) => r.hitRate))
      expect(await overall.locator('circle.point.time-weighted').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-rate')))).toEqual(
        runs.filter((r) => r.timeWeightedHitRate !== null).map((r) => pct(r.timeWeightedHitRate)),
      )

      // time lost per root-cause kind: r3's amd64 COPY api/ (context), r3's arm64 (cache not served),
      // r4's moved base image; r1 is the first run: nothing to compare, so no `new-step` blame
      const kinds = await page.locator('#lost-by-verdict tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-verdict')))
      expect(kinds.slice().sort()).toEqual(['base-image-changed', 'cache-unavailable', 'context-changed'])
      expect(await page.locator('#lost-by-step tbody tr').count()).toBeGreaterThan(0)
      const recurring = await page.locator('#recurring-table tbody').innerText()
      expect(recurring).toContain('[api linux/amd64 build 4/6] COPY api/ ./api/')
      expect(recurring).toMatch(/pin it/)

      // the latest run (r4) explained: the moved base image with its digests, advice and the steps it invalidated
      const last = await page.locator('#last-run').innerText()
      expect(last).toContain('Run r4')
      expect(last).toContain('baseline r3')
      expect(last).toMatch(/base-image-changed[\s\S]*sha256:269c345739b2[\s\S]*sha256:c9ef8b5a60b2/)
      expect(last).toMatch(/upstream-invalidated step/)
      // each root step with its line of app-context/api/Dockerfile: WORKDIR /app is line 3, WORKDIR /src line 8
      for (const platform of ['linux/amd64', 'linux/arm64']) {
        expect(last).toContain(`[api ${platform} deps 2/4] WORKDIR /app fixtures/buildkit-0.11-rawjson/app-context/api/Dockerfile:3\n`)
        expect(last).toContain(`[api ${platform} build 2/6] WORKDIR /src fixtures/buildkit-0.11-rawjson/app-context/api/Dockerfile:8\n`)
      }
      expect(await page.locator('#last-run li.root-cause').count()).toBeGreaterThan(0)
      expect(await page.content()).not.toContain('new-step')

      mkdirSync(ARTIFACTS, {recursive: true})
      const shot = path.join(ARTIFACTS, 'report.png')
      await page.screenshot({path: shot, fullPage: true})
      expect(statSync(shot).size).toBeGreaterThan(10_000)
    } finally {
      await browser.close()
    }
  }, 60_000)
})

describe('report filters', () => {
  it('--since, --target and --branch choose the runs; a bad --since is a usage error', async () => {
    const file = path.join(root, 'filtered.html')
    // r4 (r6-base-moved) was created at 14:07:20Z, the others before 14:06:30Z
    const since = await runCli(['report', '--html', file, '--since', '2026-11-23T14:07:00Z', '--db', db])
    expect(since.stdout).toContain(': 1 run,')
    expect(readFileSync(file, 'utf8')).toContain('data-run="r4"')
    expect(readFileSync(file, 'utf8')).not.toContain('data-run="r3"')
    const other = await runCli(['report', '--html', file, '--target', 'web', '--db', db])
    expect(other.stdout).toContain(': 0 runs,')
    expect(readFileSync(file, 'utf8')).toContain('No runs in the index match')
    // a run recorded on branch "feature" (git read from the working directory)
    const repo = path.join(root, 'repo')
    mkdirSync(repo)
    execFileSync('git', ['init', '-q', '-b', 'feature'], {cwd: repo})
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'x'], {cwd: repo})
    expect((await runCli(['ingest', path.join(captures, 'r2-warm-remote', 'rawjson.json'), '--target', 'api', '--db', db, '--again'], {cwd: repo})).exitCode).toBe(0)
    const branch = await runCli(['report', '--html', file, '--branch', 'feature', '--db', db])
    expect(branch.stdout).toContain(': 1 run,')
    expect(readFileSync(file, 'utf8')).toContain('data-run="r5"')
    const bad = await runCli(['report', '--html', file, '--since', 'yesterday', '--db', db])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('--since "yesterday" is neither a span nor a date')
  })
})
