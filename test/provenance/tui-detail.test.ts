import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {explainRun} from '../../src/domain/explain/explain-run.js'
import {parseProvenanceText} from '../../src/domain/provenance/parse-provenance.js'
import {attachProvenance} from '../../src/domain/provenance/attach.js'
import {readFileSync} from 'node:fs'
import {stepLines} from '../../src/ui/lines/detail-lines.js'
import {FIXTURES, foldFile} from '../helpers/fixtures.js'

const dir = (run: string) => path.join(FIXTURES, 'provenance-0.11', run)
async function load(run: string) {
  const folded = await foldFile(path.join(dir(run), 'rawjson.json'))
  const records = ['provenance.linux_amd64.json', 'provenance.linux_arm64.json'].flatMap((f) => parseProvenanceText(readFileSync(path.join(dir(run), f), 'utf8'), {salt: ''}).records)
  return {...attachProvenance(folded, records).run, id: run}
}

describe('the explain TUI detail pane shows the step\'s Dockerfile line and definition', () => {
  it('p3 vs p2, amd64 build 5/5: Dockerfile:12 with its text, the definition with BUILD_MODE=debug', async () => {
    const ex = explainRun(await load('p3-build-mode'), await load('p2-warm'))
    const step = ex.steps.find((s) => s.platform === 'linux/amd64' && s.stage === 'build' && s.index === 5)!
    const text = stepLines(step).map((l) => l.text)
    expect(text.some((l) => /^took \S+ · Dockerfile:12$/.test(l))).toBe(true)
    expect(text).toContain('  │ RUN cat src/*.txt vendor/resolved.txt > shop.bundle && echo "mode=$BUILD_MODE" >> shop.bundle && sha256sum shop.bundle > shop.sha256')
    const def = text.slice(text.indexOf('Definition (from the build\'s provenance)'))
    expect(def).toContain('  command: cat src/*.txt vendor/resolved.txt > shop.bundle && echo "mode=$BUILD_MODE" >> shop.bundle && sha256sum shop.bundle > shop.sha256')
    expect(def).toContain('  env: BUILD_MODE=debug')
    expect(def).toContain('  cwd: /work')
    expect(def).toContain('  platform: linux/amd64')
    const copy = ex.steps.find((s) => s.platform === 'linux/amd64' && s.stage === 'build' && s.index === 4)!
    expect(stepLines(copy).map((l) => l.text)).toContain('  copy /src → /work/src/ from the build context')
  })
})
