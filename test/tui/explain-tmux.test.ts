/**
 * End to end: the real `node bin/run.js explain` in a real terminal (tmux), driven by keys, read back
 * with `tmux capture-pane -p`. Needs the compiled dist/ (`npm run build`) and tmux.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, PROJECT_ROOT, runCli} from '../helpers/cli.js'

const CAPTURES = path.join(PROJECT_ROOT, 'fixtures/buildkit-0.11-rawjson')
const hasTmux = spawnSync('tmux', ['-V']).status === 0
const hasExplain = existsSync(path.join(PROJECT_ROOT, 'dist/commands/explain.js'))
const skipReason = !hasTmux ? 'tmux is not installed' : !hasExplain ? '`explain` is not a command yet (no dist/commands/explain.js: run `npm run build`)' : ''
if (skipReason) console.warn(`skipping the tmux explain test: ${skipReason}`)

// A private tmux server on a socket inside the test's temp dir: never anyone else's server, and
// removing the dir removes the socket.
let SOCKET = ''
const tmux = (...args: string[]) => execFileSync('tmux', ['-S', SOCKET, '-f', '/dev/null', ...args], {encoding: 'utf8'})
const screen = (session: string) => tmux('capture-pane', '-p', '-t', session)

async function waitForScreen(session: string, predicate: (text: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs
  let text = screen(session)
  while (!predicate(text)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen shows:\n${text}`)
    await new Promise((r) => setTimeout(r, 25))
    text = screen(session)
  }
  return text
}

/** The tree row under the cursor (`│›  ◆ 19ms 4/6 COPY …`). */
const cursorLine = (text: string) => text.split('\n').find((l) => l.startsWith('│›')) ?? ''

/** Runs `command` in a new detached tmux session of a fixed size; the shell prints `[exit N]` when it ends. */
function startSession(name: string, command: string, env: string): void {
  const sh = `cd ${JSON.stringify(PROJECT_ROOT)} && env ${env} ${command}; echo "[exit $?]"; sleep 600`
  tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', sh)
}

// The pane must look like a real, non-CI terminal whatever the test runner's environment says.
const TERMINAL_ENV = '-u CI -u CONTINUOUS_INTEGRATION -u NO_COLOR -u FORCE_COLOR TERM=xterm-256color LANG=C.UTF-8'

describe.skipIf(skipReason !== '')('explain in a terminal (tmux)', () => {
  let dir: string
  let db: string

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bakedoctor-tui-'))
    SOCKET = path.join(dir, 'tmux.sock')
    db = path.join(dir, 'i.db')
    for (const run of ['r2-warm-remote', 'r3-code-change']) {
      const r = await runCli(['ingest', path.join(CAPTURES, run, 'rawjson.json'), '--target', 'api', '--db', db])
      expect(r.exitCode, r.stderr).toBe(0)
    }
  })

  afterAll(() => {
    if (SOCKET) spawnSync('tmux', ['-S', SOCKET, 'kill-server'])
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('navigates to a miss, opens it, jumps to its root cause, filters misses, shows help and quits with 0', async () => {
    const s = 'explain'
    startSession(s, `node ${JSON.stringify(BIN)} explain --db ${JSON.stringify(db)}`, TERMINAL_ENV)

    // first frame: header, root causes first, the tree
    let text = await waitForScreen(s, (t) => t.includes('Steps (18 of 18 shown)'), 'the first frame')
    expect(text).toContain('run r2 vs r1')
    expect(text).toContain('hit rate 5/18 (27.8%)')
    expect(text).toContain('▾ Root causes')
    expect(cursorLine(text)).toContain('◆')

    // move down to the first cascade miss (one key at a time, each awaited)
    for (let i = 0; i < 20 && !cursorLine(text).split('││')[0]!.includes('upstream-invalidated'); i++) {
      const before = cursorLine(text)
      tmux('send-keys', '-t', s, 'j')
      text = await waitForScreen(s, (t) => cursorLine(t) !== before, 'the cursor to move')
    }
    expect(cursorLine(text)).toMatch(/✗\s+\d+ms 5\/6 COPY shared\/lib\.\S*\s+upstream-invalidated/)

    // open it: the detail pane (now focused) names the verdict and the root of the cascade
    tmux('send-keys', '-t', s, 'Enter')
    text = await waitForScreen(s, (t) => t.includes('press g to jump to it'), 'the detail of the miss')
    expect(text).toContain('MISS · upstream-invalidated')
    expect(text).toContain('root cause: [api linux/amd64 build 4/6] COPY api/')

    // g: the cursor jumps to the root-cause step
    tmux('send-keys', '-t', s, 'g')
    text = await waitForScreen(s, (t) => cursorLine(t).includes('4/6 COPY api/ ./api/'), 'the jump to the root cause')
    expect(cursorLine(text)).toContain('◆')
    expect(text).toContain('ROOT CAUSE · MISS · context-changed')

    // m: misses only, the hits disappear
    tmux('send-keys', '-t', s, 'm')
    text = await waitForScreen(s, (t) => t.includes('filter: misses only'), 'the misses-only filter')
    expect(text).toContain('Steps (13 of 18 shown)')
    expect(text).not.toContain('✓')
    expect(text).not.toContain('266ms 3/6 COPY --from=deps') // the amd64 hit

    // ?: help lists the keys
    tmux('send-keys', '-t', s, '?')
    text = await waitForScreen(s, (t) => t.includes('Help — ? or esc closes'), 'the help overlay')
    for (const line of ['jump to the root cause of the selected upstream-invalidated step', 'show misses only / all steps', 'cycle the platform filter', 'search steps', 'quit']) {
      expect(text).toContain(line)
    }

    // resizing the terminal re-lays the screen: at 90 columns the panes stack
    tmux('send-keys', '-t', s, 'Escape')
    await waitForScreen(s, (t) => !t.includes('Help — '), 'the help overlay to close')
    tmux('resize-window', '-t', s, '-x', '90', '-y', '40')
    text = await waitForScreen(s, (t) => {
      const lines = t.split('\n')
      const steps = lines.findIndex((l) => l.includes('Steps ('))
      const detail = lines.findIndex((l) => l.includes('Detail —'))
      return steps >= 0 && detail > steps
    }, 'the stacked layout')
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(90)

    // q: the process exits 0 and the terminal gets its screen back
    tmux('send-keys', '-t', s, 'q')
    text = await waitForScreen(s, (t) => /\[exit \d+\]/.test(t), 'the process to exit')
    expect(text).toContain('[exit 0]')
    expect(text).not.toContain('Help — ')
  })

  it('prints the text report instead of the TUI when CI=true, even on a terminal', async () => {
    const s = 'ci'
    startSession(s, `node ${JSON.stringify(BIN)} explain --db ${JSON.stringify(db)}`, `${TERMINAL_ENV} CI=true`)
    const text = await waitForScreen(s, (t) => /\[exit \d+\]/.test(t), 'the report')
    expect(text).toContain('[exit 0]')
    expect(text).toMatch(/ROOT\s+\d+ms\s+\[api linux\/arm64 deps 2\/4\] WORKDIR \/app/)
    expect(text).not.toContain('Steps (')
  })

  it('piped output is plain text with no escape codes', async () => {
    const r = await runCli(['explain', '--db', db], {env: {NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined}})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toContain('Root causes')
    expect(r.stdout).toContain('COPY api/ ./api/')
    expect(r.stdout).not.toContain('\u001B')
  })
})
