// Child-process timing and peak memory.
import {spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {performance} from 'node:perf_hooks'

/** min, median, max of a list of numbers */
export const spread = (xs) => ({min: Math.min(...xs), median: median(xs), max: Math.max(...xs)})

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Runs a command to completion; resolves with its wall time (ms, spawn to exit), exit code, and
 * what it printed (stdout only when `capture`). Peak RSS (VmHWM, KiB) when `peakRss` is set:
 * /proc/<pid>/status is polled every 5 ms (and read once more right before exit is noticed).
 */
export function runTimed(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(cmd, args, {cwd: options.cwd, env: {...process.env, ...options.env}, stdio: ['ignore', options.capture ? 'pipe' : 'ignore', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (b) => (stdout += b))
    child.stderr.on('data', (b) => (stderr = (stderr + b).slice(-8000)))
    let peak = 0
    let timer
    if (options.peakRss) {
      const statusFile = `/proc/${child.pid}/status`
      const poll = () => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(statusFile, 'utf8'))
          if (m) peak = Math.max(peak, Number(m[1]))
        } catch {}
      }
      if (existsSync(statusFile)) timer = setInterval(poll, 5)
    }
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      const ms = performance.now() - start
      clearInterval(timer)
      if ((code !== 0 && !options.allowFail) || signal) {
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}: ${stderr.trim().slice(-2000)}`))
        return
      }
      resolve({ms, code, stdout, stderr, peakKiB: peak})
    })
  })
}

/**
 * Alternates the measured command with its baseline, `n` times each (interleaved so that a busy
 * machine slows both alike), after one untimed warm-up of each. `before` runs untimed before each.
 */
export async function compare(measured, baseline, n, options = {}) {
  const a = []
  const b = []
  if (options.warmup !== false) {
    if (baseline) await baseline()
    await options.before?.()
    await measured()
  }
  for (let i = 0; i < n; i++) {
    if (baseline) b.push((await baseline()).ms)
    await options.before?.()
    a.push((await measured()).ms)
  }
  return {ms: median(a), runs: a, baselineMs: baseline ? median(b) : undefined, baselineRuns: b}
}

/** Peak RSS via /usr/bin/time -v when installed (exact VmHWM of the child), else polling. */
export async function peakRss(cmd, args, options = {}) {
  if (existsSync('/usr/bin/time')) {
    const r = await runTimed('/usr/bin/time', ['-v', cmd, ...args], options)
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)
    if (m) return {ms: r.ms, peakKiB: Number(m[1]), how: '/usr/bin/time -v'}
  }
  const r = await runTimed(cmd, args, {...options, peakRss: true})
  return {ms: r.ms, peakKiB: r.peakKiB, how: '/proc VmHWM polling'}
}
