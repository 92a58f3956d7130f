/** `bakedoctor plan` and `plan diff` through the real CLI (compiled dist/: npm run build first). */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, test} from 'vitest'
import {runCli} from '../helpers/cli.js'

const MONO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/bake-0.10-rawjson/mono-context')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'plan-cli-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))
// no docker on PATH: `auto` must fall back to the built-in resolver
const ENV = {PATH: path.dirname(process.execPath), TAG: 'cli'}

describe('bakedoctor plan', () => {
  test('--json prints the resolved plan, source and hash', async () => {
    const r = await runCli(['plan', '--json', 'api'], {cwd: MONO, env: ENV})
    expect(r.exitCode).toBe(0)
    const out = r.json as {plan: {group: Record<string, {targets: string[]}>; target: Record<string, {tags?: string[]}>}; source: string; files: string[]; hash: string}
    expect(out.source).toBe('builtin')
    expect(out.files).toEqual(['docker-bake.hcl'])
    expect(out.hash).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(Object.keys(out.plan.target)).toEqual(['api'])
    expect(out.plan.target.api?.tags).toEqual(['127.0.0.1:5000/kloudvin/api:cli'])
    expect(out.plan.group.default?.targets).toEqual(['api'])
  })

  test('text output lists groups and targets with their attributes; --set and --var apply', async () => {
    const r = await runCli(['plan', '--source', 'builtin', '--set', 'worker.args.LOG_LEVEL=debug', '--var', 'TAG=v2'], {cwd: MONO, env: ENV})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('group default: api, worker')
    expect(r.stdout).toMatch(/target worker\n[\s\S]*args\s+LOG_LEVEL=debug/)
    expect(r.stdout).toContain('127.0.0.1:5000/kloudvin/worker:v2')
    expect(r.stdout).toMatch(/cache-to\s+type=registry,mode=max,ref=127\.0\.0\.1:5000\/kloudvin\/buildcache:api/)
  })

  test('an evaluation error exits 2 naming file, line, block and attribute', async () => {
    writeFileSync(path.join(tmp, 'bad.hcl'), 'target "app" {\n  context = "."\n  tags = ["acme/app:${VERSON}"]\n}\n')
    const r = await runCli(['plan', '-f', 'bad.hcl', 'app'], {cwd: tmp, env: ENV})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('bad.hcl:3')
    expect(r.stderr).toContain('target "app": attribute "tags": Unknown variable; There is no variable named "VERSON".')
  })

  test('an HCL syntax error exits 2 with the parser position', async () => {
    writeFileSync(path.join(tmp, 'dup.hcl'), 'a = 1\na = 2\n')
    const r = await runCli(['plan', '-f', 'dup.hcl'], {cwd: tmp, env: ENV})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('dup.hcl:2')
    expect(r.stderr).toContain('Attribute redefined')
  })

  test('plan diff FILE FILE shows changed attributes', async () => {
    writeFileSync(path.join(tmp, 'a.hcl'), 'target "default" {\n  args = { V = "1" }\n}\n')
    writeFileSync(path.join(tmp, 'b.hcl'), 'target "default" {\n  args = { V = "2" }\n  platforms = ["linux/arm64"]\n}\n')
    const r = await runCli(['plan', 'diff', 'a.hcl', 'b.hcl'], {cwd: tmp, env: ENV})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('target default: changed')
    expect(r.stdout).toContain('~ args.V: 1 → 2')
    expect(r.stdout).toMatch(/platforms\n\s+\+ linux\/arm64/)
    const j = await runCli(['plan', 'diff', 'a.hcl', 'a.hcl', '--json'], {cwd: tmp, env: ENV})
    expect((j.json as {diff: {same: boolean}}).diff.same).toBe(true)
  })

  test('plan diff without two plans is a usage error', async () => {
    const r = await runCli(['plan', 'diff', 'a.hcl'], {cwd: tmp, env: ENV})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('plan diff needs two plans')
  })
})
