// Child-process timing and peak memory.
import {spawn} from 'node:child_process'
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
let cpuFiles = 0

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
  // CPU time (user + system) of the child, from /usr/bin/time, unless peak memory is polled: on a
  // shared machine wall time also measures the neighbours, CPU time much less
  if (TIME && !options.peakRss && !options.noCpu) {
    const out = path.join(tmpdir(), `bench-cpu-${process.pid}-${++cpuFiles}`)
    return runTimed(TIME, ['-o', out, '-f', '%U %S', cmd, ...args], {...options, noCpu: true}).then((r) => {
      const [user, sys] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number)
      rmSync(out, {force: true})
      return {...r, cpuMs: (user + sys) * 1000}
    })
  }
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
  const ac = []
  const bc = []
  if (options.warmup !== false) {
    if (baseline) await baseline()
    await options.before?.()
    await measured()
  }
  for (let i = 0; i < n; i++) {
    if (baseline) {
      const r = await baseline()
      b.push(r.ms)
      if (r.cpuMs !== undefined) bc.push(r.cpuMs)
    }
    await options.before?.()
    const r = await measured()
    a.push(r.ms)
    if (r.cpuMs !== undefined) ac.push(r.cpuMs)
  }
  return {
    ms: median(a), runs: a, baselineMs: baseline ? median(b) : undefined, baselineRuns: b,
    cpuMs: ac.length === n ? median(ac) : undefined, baselineCpuMs: bc.length === n && baseline ? median(bc) : undefined,
  }
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
