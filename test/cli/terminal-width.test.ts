/**
 * runs, show and diff in a real 80-column terminal (tmux): every line fits, read back with
 * `tmux capture-pane -J` (which joins a line the terminal had to wrap, so a too-long line shows).
 * The presenters' cutting is tested in src/output; this checks the commands hand them the terminal's width.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, runCli} from '../helpers/cli.js'
import {capture, FIXTURES} from '../helpers/fixtures.js'

const hasTmux = spawnSync('tmux', ['-V']).status === 0
const WIDTH = 80

let dir = ''
let db = ''
// a private tmux server on a socket in the test's temp dir: never anyone else's
const tmux = (...args: string[]) => execFileSync('tmux', ['-S', path.join(dir, 'tmux.sock'), '-f', '/dev/null', ...args], {encoding: 'utf8'})

/** The command's output as an 80-column terminal shows it, wrapped lines joined back. */
async function onTerminal(name: string, args: string[]): Promise<string[]> {
  const sh = `env -u CI -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args.join(' ')} --db ${JSON.stringify(db)}; echo "[exit $?]"; sleep 600`
  tmux('new-session', '-d', '-s', name, '-x', String(WIDTH), '-y', '50', sh)
  const end = Date.now() + 20_000
  let text = ''
  while (!/\[exit \d+\]/.test(text)) {
    if (Date.now() > end) throw new Error(`timed out; the screen shows:\n${text}`)
    await new Promise((r) => setTimeout(r, 50))
    text = tmux('capture-pane', '-p', '-J', '-S', '-500', '-t', name)
  }
  // (the session stays until afterAll stops the server: killing the last one would stop it under the next test)
  const lines = text.split('\n').map((l) => l.trimEnd())
  return lines.slice(0, lines.findIndex((l) => l.startsWith('[exit ')))
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bd-width-'))
  db = path.join(dir, 'index.db')
  // r3-code-change then r6-base-moved (capture README): long RUN instructions and digests
  for (const r of ['r3-code-change', 'r6-base-moved']) {
    const res = await runCli(['ingest', capture(r), '--target', 'api', '--metadata', path.join(FIXTURES, 'buildkit-0.11-rawjson', r, 'metadata.json'), '--no-git', '--db', db])
    expect(res.exitCode, res.stderr).toBe(0)
  }
})
afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-S', path.join(dir, 'tmux.sock'), 'kill-server'])
  rmSync(dir, {recursive: true, force: true})
})

describe.skipIf(!hasTmux)(`runs, show and diff in an ${WIDTH}-column terminal${hasTmux ? '' : ' [skipped: tmux is not installed]'}`, () => {
  it('runs: every line fits; the target and both platforms are whole, both hit rates stay', async () => {
    const lines = await onTerminal('runs', ['runs'])
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(WIDTH)
    expect(lines[0]!.split(/ {2,}/)).toEqual(['ID', 'TARGETS', 'PLATFORMS', 'HIT RATE', 'TIME-WEIGHTED', 'STATUS'])
    // r1 = r3-code-change 5/18, r2 = r6-base-moved 0/18 (capture README)
    expect(lines[1]!.split(/ {2,}/).slice(0, 4)).toEqual(['r2', 'api', 'linux/amd64,linux/arm64', '0%'])
    expect(lines[2]!.split(/ {2,}/).slice(0, 4)).toEqual(['r1', 'api', 'linux/amd64,linux/arm64', '27.8%'])
  })

  it('show and diff: every line fits', async () => {
    for (const [name, args] of [['show', ['show', 'r2']], ['diff', ['diff', 'r1', 'r2', '--no-tui']]] as const) {
      const lines = await onTerminal(name, [...args])
      expect(lines.length, name).toBeGreaterThan(10)
      for (const l of lines) expect(l.length, `${name}: ${l}`).toBeLessThanOrEqual(WIDTH)
    }
  })

  it('piped, nothing is cut', async () => {
    const runs = (await runCli(['runs', '--db', db])).stdout
    expect(runs.split('\n')[0]).toMatch(/^ID +CREATED +TARGETS +PLATFORMS +HITS +HIT RATE +TIME-WEIGHTED +DURATION +STATUS$/)
    const diff = (await runCli(['diff', 'r1', 'r2', '--no-tui', '--db', db])).stdout
    expect(diff).toContain('[api linux/amd64 deps 4/4]  instruction: RUN mkdir -p deps && cat lockfile.txt | tr a-z A-Z > deps/installed && echo "env=[-production-]{+development+}" >> deps/installed')
  })
})
