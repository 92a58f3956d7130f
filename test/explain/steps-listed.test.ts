import {describe, expect, it} from 'vitest'
import {explainRun} from '../../src/domain/explain/explain-run.js'
import {capture, foldFile} from '../helpers/fixtures.js'

/** Issue #17: a failing gate explains only what it prints — the missed steps, with the same verdicts and root causes. */
describe("explain with stepsListed: 'missed'", () => {
  it('lists exactly the steps that were not hits, each with the verdict the full explanation gives, and the same root causes', async () => {
    // r3-code-change against r2-warm-remote: an edited source file, so some steps hit and the ones after the COPY miss
    const [run, baseline] = [await foldFile(capture('r3-code-change'), {target: 'api'}), await foldFile(capture('r2-warm-remote'), {target: 'api'})]
    const all = explainRun(run, baseline)
    const missed = explainRun(run, baseline, {stepsListed: 'missed'})
    expect(all.steps.some((s) => s.cached)).toBe(true)
    expect(all.steps.some((s) => !s.cached && s.verdict)).toBe(true)
    expect(missed.steps).toEqual(all.steps.filter((s) => !s.cached))
    expect(missed.rootCauses).toEqual(all.rootCauses)
    expect(missed.removedSteps).toEqual(all.removedSteps)
  })
})
