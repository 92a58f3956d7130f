/**
 * The buildx path: a fake `docker` first on PATH prints a captured `--print`; `auto` picks it when
 * `docker buildx version` works and falls back to the built-in resolver when it does not.
 */
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, test} from 'vitest'
import {resolvePlan} from '../../src/services/plan.js'

// the captured bake project and its `bake --print` (fixtures/bake-0.10-rawjson)
const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/bake-0.10-rawjson')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fake-docker-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

/** A directory holding an executable `docker` script, to put first on PATH. */
function fakeDocker(name: string, script: string): string {
  const bin = path.join(tmp, name)
  mkdirSync(bin, {recursive: true})
  writeFileSync(path.join(bin, 'docker'), script)
  chmodSync(path.join(bin, 'docker'), 0o755)
  return `${bin}:${process.env.PATH ?? ''}`
}

describe('buildx source', () => {
  const printJson = path.join(FIX, 'b1-cold', 'print.json')
  const argsLog = path.join(tmp, 'args.log')

  test('auto uses docker buildx bake --print when buildx works, with the same plan model', async () => {
    const PATH = fakeDocker(
      'ok',
      `#!/bin/sh\nif [ "$1 $2" = "buildx version" ]; then echo "github.com/docker/buildx v0.10.5"; exit 0; fi\necho "$@" > '${argsLog}'\ncat '${printJson}'\n`,
    )
    const env = {...process.env, PATH}
    const cwd = path.join(FIX, 'mono-context')
    const viaBuildx = await resolvePlan({cwd, env, source: 'auto', targets: ['default'], set: ['*.args.X=1'], vars: {TAG: 'dev'}})
    const builtin = await resolvePlan({cwd, env: {}, source: 'builtin'})
    // Then the buildx plan is used, normalized to the same model as the built-in one
    expect(viaBuildx.source).toBe('buildx')
    expect(viaBuildx.plan).toEqual(builtin.plan)
    expect(viaBuildx.hash).toBe(builtin.hash)
    expect(readFileSync(argsLog, 'utf8').trim()).toBe('buildx bake --print --set *.args.X=1 --var TAG=dev default')
  })

  test('auto falls back to the built-in resolver when docker buildx does not work', async () => {
    const env = {PATH: fakeDocker('broken', '#!/bin/sh\necho "docker: \'buildx\' is not a docker command." >&2\nexit 1\n')}
    const r = await resolvePlan({cwd: path.join(FIX, 'mono-context'), env, source: 'auto'})
    expect(r.source).toBe('builtin')
    expect(Object.keys(r.plan.target)).toEqual(['api', 'worker'])
  })

  test('--source buildx reports a failing bake as an error with its output', async () => {
    const env = {PATH: fakeDocker('fails', '#!/bin/sh\necho "ERROR: docker-bake.hcl:3,10-16: Unknown variable; There is no variable named \\"X\\"." >&2\nexit 1\n')}
    await expect(resolvePlan({cwd: path.join(FIX, 'mono-context'), env, source: 'buildx'})).rejects.toMatchObject({
      name: 'InputError',
      file: 'docker-bake.hcl',
      position: {line: 3},
    })
  })
})

