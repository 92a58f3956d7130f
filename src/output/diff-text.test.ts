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

  it('on an 80-column terminal: every timing row, the word diff around its change, the step before its evidence, both digests', () => {
    // a deps RUN whose NODE_ENV value changed (as buildkit-0.11 r3 → r6), four timing rows
    const run = 'RUN mkdir -p deps && cat lockfile.txt | tr a-z A-Z > deps/installed && echo "env=[-production-]{+development+}" >> deps/installed'
    const step = '[api linux/amd64 deps 2/4] WORKDIR /app'
    const text = renderDiffText(aRunDiff(undefined, {
      baseImages: [{ref: '127.0.0.1:5000/base/busybox:1', platform: 'linux/amd64', old: `sha256:269c345739b2${'0'.repeat(52)}`, new: `sha256:c9ef8b5a60b2${'1'.repeat(52)}`}],
      inputs: [{key: 'k', place: '[api linux/amd64 deps 4/4]', kind: 'instruction', name: '', old: 'o', new: 'n', diff: run}],
      steps: [{key: 'k', label: step, from: 'hit', to: 'miss', verdict: 'base-image-changed', summary: `127.0.0.1:5000/base/busybox:1: sha256:269c345739b2${'0'.repeat(52)} → sha256:c9ef8b5a60b2${'1'.repeat(52)}`}],
      timing: {slowest: [1, 2, 3, 4].map((n) => ({key: `k${n}`, label: `${label} ${n}`, oldMs: 0, newMs: 1000 * n})), totalOldMs: 900, totalNewMs: 5100},
    }), {width: 80})
    const lines = text.split('\n')
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80)
    expect(lines.filter((l) => /^ {2}0ms\s+→\s+\d/.test(l))).toHaveLength(4)
    expect(lines.find((l) => l.includes('instruction:'))).toContain('instruction: …"env=[-production-]{+development+}"')
    expect(lines.find((l) => l.startsWith('  hit → miss'))).toMatch(/^ {2}hit → miss {2}\[api linux\/amd64 deps 2\/4\] WORKDIR.* {2}— base-image-changed: 127.*…$/)
    expect(lines.find((l) => l.includes('base image'))).toMatch(/: sha256:269c345739b2… → sha256:c9ef8b5a60b2…$/)
  })

  it('piped (no width) nothing is cut', () => {
    const text = renderDiffText(diff())
    expect(text).toContain(`  hit → miss  ${label}  — arg-changed: PIP_INDEX_URL: https://pypi.example.com/${'a'.repeat(120)} → `)
    expect(text).toContain(`4.20s  ${label}`)
    expect(text).toContain(`env PIP_INDEX_URL: https://pypi.example.com/${'a'.repeat(120)} → https://mirror.example.com/${'b'.repeat(120)}`)
  })
})
