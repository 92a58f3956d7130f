import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import {ExplainApp, renderExplainApp} from '../../src/ui/render.js'
import {fakeKeyboard, fakeTerminal} from '../helpers/fake-tty.js'
import {aRunDiff, argChangedExplanation, codeChangeExplanation} from '../factories/explanation.js'
import {KEYS, lastWrittenFrame, plain, waitFor, waitForKeys} from './ink.js'

describe('ExplainApp (keys through ink into the reducer)', () => {
  it('moves, opens a miss, jumps to its root, filters misses, searches, shows help and diff', async () => {
    const app = render(<ExplainApp explanation={codeChangeExplanation()} />)
    const frame = () => plain(app.lastFrame())
    // Given the first frame: root causes first, cursor on the first root cause
    await waitFor(frame, (f) => f.includes('Detail — [api linux/arm64 deps 2/4] WORKDIR /…'))
    await waitForKeys(app.stdin)
    // When moving to the amd64 RUN cascade (search narrows the tree to it) and opening it
    app.stdin.write('/')
    await waitFor(frame, (f) => f.includes('enter keep · esc cancel'))
    for (const ch of 'bundle') app.stdin.write(ch)
    await waitFor(frame, (f) => f.includes('/bundle') && f.includes('Steps (3 of 12 shown)'))
    app.stdin.write(KEYS.enter)
    await waitFor(frame, (f) => f.includes('filter: search "bundle"'))
    app.stdin.write('j')
    app.stdin.write(KEYS.down)
    await waitFor(frame, (t) => t.includes('MISS · upstream-invalidated'))
    app.stdin.write(KEYS.enter)
    // Then the detail shows the root of the cascade
    let f = await waitFor(frame, (t) => t.includes('root cause: [api linux/'))
    expect(f).toContain('press g to jump to it')
    // When pressing g: the cursor lands on the root step, and the search that hid it is dropped
    app.stdin.write('g')
    f = await waitFor(frame, (t) => t.includes('ROOT CAUSE · MISS'))
    expect(f).not.toContain('search "bundle"')
    // m: misses only
    app.stdin.write('m')
    f = await waitFor(frame, (t) => t.includes('filter: misses only'))
    expect(f).not.toContain('WORKDIR /src')
    expect(f).not.toContain('✓')
    // ?: help lists keys; esc closes it
    app.stdin.write('?')
    f = await waitFor(frame, (t) => t.includes('Help — ? or esc closes'))
    expect(f).toContain('jump to the root cause of the selected upstream-invalidated step')
    app.stdin.write(KEYS.escape)
    await waitFor(frame, (t) => !t.includes('Help —'))
    // d: the diff view against the baseline
    app.stdin.write('d')
    f = await waitFor(frame, (t) => t.includes('Diff r1 → r2'))
    expect(f).toContain('modified api/main.txt')
    app.stdin.write('d')
    await waitFor(frame, (t) => t.includes('Steps ('))
    app.unmount()
  })

  it('p cycles the platform filter and tab moves focus to the detail pane', async () => {
    const app = render(<ExplainApp explanation={codeChangeExplanation()} />)
    const frame = () => plain(app.lastFrame())
    await waitFor(frame, (f) => f.includes('Steps (12 of 12 shown)'))
    await waitForKeys(app.stdin)
    app.stdin.write('p')
    const f = await waitFor(frame, (t) => t.includes('filter: platform linux/amd64'))
    expect(f).toContain('Steps (9 of 12 shown)')
    expect(f).not.toContain('linux/arm64 deps')
    app.unmount()
  })

  it('opens in the diff view for the diff command', async () => {
    const e = argChangedExplanation()
    const app = render(<ExplainApp explanation={e} diff={aRunDiff(e)} initialView="diff" />)
    const f = await waitFor(() => plain(app.lastFrame()), (t) => t.includes('Plan changes'))
    expect(f).toContain('api  args.NODE_ENV: production → development')
    expect(f).toContain('bakedoctor diff · run r2 vs r1')
    app.unmount()
  })
})

describe('renderExplainApp', () => {
  it('resolves when the user presses q, and restores the screen', async () => {
    const stdout = fakeTerminal(120, 30)
    const stdin = fakeKeyboard()
    const done = renderExplainApp({explanation: codeChangeExplanation(), stdin, stdout, stderr: fakeTerminal(80, 24)})
    await waitFor(() => stdout.output.join(''), (t) => t.includes('Root causes'))
    await waitForKeys(stdin)
    stdin.write('q')
    await done
    const all = stdout.output.join('')
    expect(all.startsWith('\u001B[?1049h')).toBe(true)
    expect(all.endsWith('\u001B[?1049l')).toBe(true)
  })

  it('ctrl+c quits through the same exit site', async () => {
    const stdout = fakeTerminal(120, 30)
    const stdin = fakeKeyboard()
    const done = renderExplainApp({explanation: codeChangeExplanation(), stdin, stdout, stderr: fakeTerminal(80, 24), alternateScreen: false})
    await waitFor(() => stdout.output.join(''), (t) => t.includes('Root causes'))
    await waitForKeys(stdin)
    stdin.write(KEYS.ctrlC)
    await expect(done).resolves.toBeUndefined()
  })

  it('re-lays the screen on resize: wide terminals split side by side, narrow ones stack', async () => {
    const stdout = fakeTerminal(140, 30)
    const stdin = fakeKeyboard()
    const done = renderExplainApp({explanation: codeChangeExplanation(), stdin, stdout, stderr: fakeTerminal(80, 24), alternateScreen: false})
    const sideBySide = (frame: string) => plain(frame).split('\n').some((l) => l.includes('Steps (') && l.includes('Detail'))
    await waitFor(() => stdout.output.join(''), (t) => t.includes('Root causes'))
    await waitForKeys(stdin)
    // side by side: the tree title and the detail title share a row
    expect(plain(stdout.output.join('')).split('\n').some((l) => l.includes('Steps (') && l.includes('Detail'))).toBe(true)
    Object.assign(stdout, {columns: 80, rows: 40})
    stdout.emit('resize')
    // the last frame written is the stacked layout: tree above, detail below
    const last = await waitFor(() => lastWrittenFrame(stdout.output), (t) => t.includes('Detail') && t.includes('Steps (') && !sideBySide(t))
    const lines = plain(last).split('\n')
    expect(lines.findIndex((l) => l.includes('Steps ('))).toBeLessThan(lines.findIndex((l) => l.includes('Detail')))
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80)
    stdin.write('q')
    await done
  })
})
