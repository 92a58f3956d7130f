import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {FIXTURES} from '../helpers/fixtures.js'

const tmp = mkdtempSync(path.join(os.tmpdir(), 'bd-no-buildx-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))
// a real bake project (fixtures/bake-0.10-rawjson): the bake file is fine, buildx is what is missing
const cwd = path.join(FIXTURES, 'bake-0.10-rawjson', 'mono-context')

/** PATH whose `docker` is the Debian docker.io 20.10 CLI without the buildx plugin, as it answers. */
function dockerWithoutBuildx(): string {
  const bin = path.join(tmp, 'bin')
  mkdirSync(bin, {recursive: true})
  writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho "docker: 'buildx' is not a docker command." >&2\necho "See 'docker --help'" >&2\nexit 1\n`)
  chmodSync(path.join(bin, 'docker'), 0o755)
  return `${bin}:/usr/bin:/bin`
}

describe('without buildx', () => {
  const env = {PATH: dockerWithoutBuildx()}
  for (const args of [['plan', '--source', 'buildx'], ['build', '--driver', 'buildx']]) {
    it(`${args.join(' ')}: "docker buildx not found" and the fix, exit 2 (not "check the bake file")`, async () => {
      const res = await runCli([...args, '--db', path.join(tmp, 'index.db')], {cwd, env})
      expect(res.exitCode).toBe(2)
      expect(res.stderr).toContain("docker buildx not found: docker: 'buildx' is not a docker command.")
      expect(res.stderr).toContain('apt-get install docker-buildx')
      expect(res.stderr).not.toMatch(/check the bake file/)
    })
  }

  it('no docker on PATH at all says the same', async () => {
    const res = await runCli(['plan', '--source', 'buildx', '--db', path.join(tmp, 'index.db')], {cwd, env: {PATH: '/nonexistent'}})
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toContain('docker buildx not found: docker is not on PATH')
  })
})
