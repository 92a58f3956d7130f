import {describe, expect, it} from 'vitest'
import {aRunDiff} from '../../test/factories/explanation.js'
import {renderDiffText} from './diff-text.js'

// a RUN of 230 characters: its label, the input that changed in it, and its timing row are all long
const longRun = `RUN ${'pip install --no-cache-dir some-long-package-name '.repeat(5).trim()}`
const label = `[api linux/amd64 build 5/6] ${longRun}`
const diff = () => aRunDiff(undefined, {
  inputs: [{key: 'k', place: '[api linux/amd64 build 5/6]', kind: 'env', name: 'PIP_INDEX_URL', old: `https://pypi.example.com/${'a'.repeat(120)}`, new: `https://mirror.example.com/${'b'.repeat(120)}`}],
  steps: [{key: 'k', label, from: 'hit', to: 'miss', verdict: 'arg-changed', summary: `PIP_INDEX_URL: https://pypi.example.com/${'a'.repeat(120)} → https://mirror.example.com/${'b'.repeat(120)}`}],
  timing: {slowest: [{key: 'k', label, oldMs: 0, newMs: 4200}], totalOldMs: 900, totalNewMs: 5100},
})

describe('diff width', () => {
  it('on a 100-column terminal every line fits; long cells are cut, the words around them stay', () => {
    const lines = renderDiffText(diff(), {width: 100}).split('\n')
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100)
    // the transition keeps its states and its verdict; label and evidence are cut
    expect(lines.find((l) => l.startsWith('  hit → miss'))).toMatch(/^ {2}hit → miss {2}\[api linux\/amd64 build 5\/6\] RUN.*… {2}— arg-changed: PIP_INDEX_URL: .*…$/)
    // the input keeps its place, its name and both sides
    expect(lines.find((l) => l.includes('PIP_INDEX_URL') && l.includes('env'))).toMatch(/^ {2}\[api linux\/amd64 build 5\/6\] {2}env PIP_INDEX_URL: https:\/\/pypi\.ex[^ ]*… → https:\/\/mirror[^ ]*…$/)
    // the timing row keeps its times
    expect(lines.find((l) => l.includes('4.20s'))).toMatch(/^ {2}0ms\s+→\s+4\.20s\s+\[api linux\/amd64 build 5\/6\] RUN pip.*…$/)
  })

  it('piped (no width) nothing is cut', () => {
    const text = renderDiffText(diff())
    expect(text).toContain(`  hit → miss  ${label}  — arg-changed: PIP_INDEX_URL: https://pypi.example.com/${'a'.repeat(120)} → `)
    expect(text).toContain(`4.20s  ${label}`)
    expect(text).toContain(`env PIP_INDEX_URL: https://pypi.example.com/${'a'.repeat(120)} → https://mirror.example.com/${'b'.repeat(120)}`)
  })
})
