/**
 * `cache inspect --run` and `explain --check-cache` against a real registry: the captured runs
 * (rewritten to this registry's address and to the base digest the snapshots were built on)
 * checked against `cache-amd64-only`, the per-arch overwrite case.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {capture} from '../helpers/fixtures.js'
import {requireTools, skipNote, startFixtureRegistry, type FixtureRegistry} from '../helpers/registry.js'

const enabled = requireTools(['docker-registry'])
const OLD_BASE = 'sha256:269c345739b285890e0317eda30f06660a33a8157e0bf1f52ce6b8b409376959'
const SNAPSHOT_BASE = 'sha256:c9ef8b5a60b2849118b2b048c83303f3608a8efef3be96789805e08e892de30e'

type Json = any

describe.skipIf(!enabled)(`cache cross-check of a run${skipNote(['docker-registry'])}`, () => {
  let reg: FixtureRegistry
  let db: string

  beforeAll(async () => {
    reg = await startFixtureRegistry()
    const dir = mkdtempSync(path.join(tmpdir(), 'bd-cachecheck-'))
    db = path.join(dir, 'i.db')
    for (const name of ['r2-warm-remote', 'r3-code-change', 'r10-failed']) {
      const text = readFileSync(capture(name), 'utf8').replaceAll('127.0.0.1:5000', reg.host).replaceAll(OLD_BASE, SNAPSHOT_BASE)
      const file = path.join(dir, `${name}.json`)
      writeFileSync(file, text)
      const res = await runCli(['ingest', file, '--target', 'api', '--db', db, '--no-git', ...(name === 'r10-failed' ? ['--platform', 'linux/amd64'] : [])])
      expect(res.exitCode, res.stderr).toBe(0)
    }
    const arm = path.join(dir, 'r10-failed.json')
    const res = await runCli(['ingest', arm, '--again', '--target', 'api', '--db', db, '--no-git', '--platform', 'linux/arm64'])
    expect(res.exitCode, res.stderr).toBe(0)
  }, 120_000)

  afterAll(async () => {
    await reg?.stop()
  })

  test('cache inspect --run of a single-platform run is tied to its platform (r10-failed, linux/amd64): no step is "unknown"', async () => {
    // r3 = r10-failed, ingested with --platform linux/amd64 (#15 items 1, 11)
    const res = await runCli(['cache', 'inspect', '--run', 'r3', '--insecure', '--db', db, '--json'])
    expect(res.exitCode, res.stderr).toBe(0)
    const steps = (res.json as Json).steps as Json[]
    expect(steps.length).toBeGreaterThan(0)
    for (const s of steps) {
      expect(s.platform).toBe('linux/amd64')
      expect(s.refs[0].verdict, s.refs[0].reason).not.toBe('unknown')
    }
    expect(steps.find((s: Json) => s.label === '[api linux/amd64 deps 2/4] WORKDIR /app').refs[0].verdict).toBe('could-serve')
  })

  test('cache inspect --run of a single-platform run whose platform the ref lacks: every step is "not servable" for linux/arm64, none "unknown"', async () => {
    // r4 = the r10-failed events recorded as a linux/arm64 build (--platform): the single-platform
    // class of #15 item 11 with a platform the amd64-only ref cannot serve.
    const res = await runCli(['cache', 'inspect', '--run', 'r4', '--insecure', '--db', db, '--json'])
    expect(res.exitCode, res.stderr).toBe(0)
    const steps = (res.json as Json).steps as Json[]
    expect(steps.length).toBeGreaterThan(0)
    for (const s of steps) {
      expect(s.platform).toBe('linux/arm64')
      expect(s.refs[0].verdict).toBe('cannot-serve')
      // cache-amd64-only keeps arm64 cache keys without layers behind them (fixtures/registry-snapshots/README.md)
      expect(s.refs[0].reason).toMatch(/^not servable: the ref has cache keys for linux\/arm64 but no layers behind them/)
    }
  })

  test('cache inspect --run: the shared ref cannot serve any arm64 step (its last export lacked arm64), amd64 it can', async () => {
    // r1 = r2-warm-remote, r2 = r3-code-change
    const res = await runCli(['cache', 'inspect', '--run', 'r1', '--insecure', '--db', db, '--json'])
    expect(res.exitCode, res.stderr).toBe(0)
    const check = res.json as Json
    expect(check.refs).toEqual([`${reg.host}/app/buildcache:api`])
    const arm = check.steps.filter((s: Json) => s.platform === 'linux/arm64')
    expect(arm).toHaveLength(9)
    for (const s of arm) {
      expect(s.refs[0].verdict).toBe('cannot-serve')
      // r1 built both platforms together: another platform's export is not the cause (#15 item 10)
      expect(s.refs[0].reason).toMatch(/^not servable: .*linux\/arm64.*: the last export to it did not include linux\/arm64 \(this run builds linux\/amd64, linux\/arm64 together/)
      expect(s.refs[0].reason).not.toMatch(/per-arch overwrite/)
    }
    const firstAmd = check.steps.find((s: Json) => s.label === '[api linux/amd64 deps 2/4] WORKDIR /app')
    expect(firstAmd.refs[0].verdict).toBe('could-serve')
    const text = await runCli(['cache', 'inspect', '--run', 'r1', '--insecure', '--db', db])
    expect(text.stdout).toContain('Run r1 against')
    expect(text.stdout).toMatch(/cannot-serve\s+\[api linux\/arm64 deps 2\/4\] WORKDIR \/app/)
  })

  test('explain --check-cache names the missing platform as evidence of cache-unavailable, and stores the snapshot', async () => {
    const res3 = await runCli(['explain', 'r2', '--check-cache', '--insecure', '--db', db, '--json'])
    expect(res3.exitCode, res3.stderr).toBe(0)
    const ex = res3.json as Json
    const armRoots = ex.steps.filter((s: Json) => s.root && s.platform === 'linux/arm64')
    expect(armRoots.length).toBe(2)
    for (const r of armRoots) {
      expect(r.verdict).toBe('cache-unavailable')
      expect(r.evidence.cache.reasons.join('\n')).toMatch(new RegExp(`${reg.host.replace(/[.:]/g, '\\$&')}/app/buildcache:api lacks linux/arm64 \\(serves linux/amd64`))
    }
    const conn = new Database(db, {readonly: true})
    const rows = conn.prepare('SELECT ref, run_id FROM cache_snapshots').all() as {ref: string; run_id: number}[]
    conn.close()
    expect(rows.some((r) => r.ref === `${reg.host}/app/buildcache:api` && r.run_id === 2)).toBe(true)
  })

  test('an unreachable cache ref does not break explain: it becomes a fact', async () => {
    const res = await runCli(['explain', 'r2', '--check-cache', '--cache-from', '127.0.0.1:1/nothing:here', '--insecure', '--db', db, '--json'])
    expect(res.exitCode, res.stderr).toBe(0)
    const reasons = (res.json as Json).steps.filter((s: Json) => s.verdict === 'cache-unavailable').flatMap((s: Json) => s.evidence.cache.reasons)
    expect(reasons.join('\n')).toMatch(/could not read 127\.0\.0\.1:1\/nothing:here/)
  })
})
