/**
 * Every verdict names its evidence, the Dockerfile line included: explain text and markdown say
 * where each root cause is written. Truth from how the data was made: in provenance-0.11 p3 (vs p2,
 * CHANGE.md: BUILD_MODE release → debug, read by the build RUN) that RUN is line 12 of the
 * Dockerfile the run was built from (the Dockerfile inside p3's provenance; app-context/Dockerfile
 * is a later edit where it moved to line 13). Without provenance or a recorded Dockerfile, no line is
 * printed: it is not guessed.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {whereWritten, whereWrittenAll} from '../../src/output/definition-text.js'
import {renderExplanationMarkdown, renderExplanationText} from '../../src/output/explain-text.js'
import {renderRunDetail} from '../../src/output/runs-text.js'
import {renderDiffText} from '../../src/output/diff-text.js'
import {diffRuns} from '../../src/services/diff.js'
import {explainRun} from '../../src/services/explain.js'
import {ingestFile} from '../../src/services/ingest.js'
import {showRun} from '../../src/services/runs.js'
import {FIXTURES} from '../helpers/fixtures.js'

const dir = (run: string) => path.join(FIXTURES, 'provenance-0.11', run)

async function explainP3(withProvenance: boolean) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'bd-where-'))
  const db = path.join(cwd, 'index.db')
  const provenance = ['provenance.linux_amd64.json', 'provenance.linux_arm64.json']
  for (const run of ['p2-warm', 'p3-build-mode']) {
    await ingestFile({file: path.join(dir(run), 'rawjson.json'), db, cwd, git: false, provenanceFiles: withProvenance ? provenance.map((f) => path.join(dir(run), f)) : []})
  }
  return Object.assign(await explainRun({db, cwd}), {db, cwd})
}

/** the lines of the root cause whose first label is `label`, up to the next numbered one */
function rootCauseBlock(text: string, label: string): string[] {
  const lines = text.split('\n')
  const start = lines.findIndex((l) => /^\s+\d+\. /.test(l) && l.includes(label))
  expect(start, `no root cause ${label} in:\n${text}`).toBeGreaterThanOrEqual(0)
  const end = lines.findIndex((l, i) => i > start && (/^\s+\d+\. /.test(l) || l === ''))
  return lines.slice(start, end)
}

describe('explain says where each root cause is written', () => {
  it('text and markdown: the build RUN whose BUILD_MODE changed, at Dockerfile:12 (from the provenance)', async () => {
    const ex = await explainP3(true)
    const block = rootCauseBlock(renderExplanationText(ex), '[linux/amd64 build 5/5] RUN')
    expect(block).toContain('     at Dockerfile:12')
    const row = renderExplanationMarkdown(ex).split('\n').find((l) => l.includes('`[linux/amd64 build 5/5] RUN'))
    expect(row).toContain('` at Dockerfile:12 |')
  })

  it('diff: the root cause of the pair is written at Dockerfile:12 too', async () => {
    const {db, cwd} = await explainP3(true)
    const text = renderDiffText(await diffRuns({db, cwd, a: 'r1', b: 'r2'}))
    const causes = text.split('\nRoot causes\n')[1]!.split('\n')
    const i = causes.findIndex((l) => l.includes('[linux/amd64 build 5/5] RUN'))
    expect(i, text).toBeGreaterThanOrEqual(0)
    expect(causes[i + 1]).toBe('    at Dockerfile:12')
  })

  it('without provenance or a recorded Dockerfile no line is claimed', async () => {
    const ex = await explainP3(false)
    const text = renderExplanationText(ex)
    expect(ex.rootCauses.length).toBeGreaterThan(0)
    expect(text).not.toMatch(/^\s+at .*Dockerfile/m)
    expect(renderExplanationMarkdown(ex)).not.toContain('` at ')
  })

  it('show: each step with the line of the Dockerfile recorded with the run (ingest --dockerfile), none without it', async () => {
    // buildkit-0.11-rawjson r3 was built from app-context/api/Dockerfile: WORKDIR /app is line 3, COPY api/ line 10, the build RUN line 12
    const capture = path.join(FIXTURES, 'buildkit-0.11-rawjson')
    const show = async (withDockerfile: boolean) => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'bd-where-show-'))
      const db = path.join(cwd, 'index.db')
      const dockerfile = withDockerfile ? path.join(capture, 'app-context', 'api', 'Dockerfile') : undefined
      const {run} = await ingestFile({file: path.join(capture, 'r3-code-change', 'rawjson.json'), db, cwd, git: false, dockerfile})
      return renderRunDetail(await showRun({db, cwd, run: run.id}))
    }
    const text = await show(true)
    // the file as the run recorded it (relative to where ingest ran)
    const at = (n: number) => `app-context/api/Dockerfile:${n})`
    expect(text).toMatch(new RegExp(`2/4 WORKDIR /app  \\([^)]*${escape(at(3))}`))
    expect(text).toMatch(new RegExp(`4/6 COPY api/ ./api/  \\([^)]*${escape(at(10))}`))
    expect(text).toMatch(new RegExp(`6/6 RUN cat api/.* \\([^)]*${escape(at(12))}`))
    expect(await show(false)).not.toContain('Dockerfile:')
  })

  it('a group names each file once with its lines; a range keeps its end', () => {
    const steps = [
      {dockerfile: 'services/api/Dockerfile', dockerfileLine: 3},
      {dockerfile: 'services/api/Dockerfile', dockerfileLine: 8},
      {dockerfile: 'services/api/Dockerfile', dockerfileLine: 3},
      {location: {file: 'Dockerfile', startLine: 12, endLine: 14, text: []}},
      {},
    ]
    expect(whereWrittenAll(steps)).toBe('services/api/Dockerfile:3, 8; Dockerfile:12-14')
    expect(whereWritten({dockerfileLine: 5})).toBe('Dockerfile:5')
    expect(whereWritten({})).toBeUndefined()
    expect(whereWrittenAll([{}, undefined])).toBeUndefined()
  })
})

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
