import {existsSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {PROJECT_ROOT, runCli} from '../helpers/cli.js'

const bundle = (name: string) => path.join(PROJECT_ROOT, 'test/fixtures/dockerbuild', name)
const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-prov-show-'))
type Json = any

describe('.dockerbuild records carry provenance: definitions for every step, Dockerfile lines in show', () => {
  it('COIO50 (docker/test-docker-action, summary.Dockerfile): the RUN is line 3 with NAME=foo in its env', async () => {
    const db = path.join(tmp(), 'index.db')
    const ingest = await runCli(['ingest', bundle('docker~test-docker-action~COIO50.dockerbuild'), '--db', db, '--no-git'])
    expect(ingest.exitCode, ingest.stderr).toBe(0)
    expect(ingest.stdout).toMatch(/Definitions: 2 step\(s\) from provenance/)
    const text = await runCli(['show', 'latest', '--db', db, '--definitions'])
    // the Dockerfile (in the record's provenance): FROM busybox:latest / ARG NAME=foo / RUN echo "hello $NAME"
    expect(text.stdout).toMatch(/2\/2 RUN echo "hello foo"\s+\(summary\.Dockerfile:3\)/)
    expect(text.stdout).toMatch(/1\/2 FROM docker\.io\/library\/busybox:latest@sha256:5eef5ed3\S+\s+\(summary\.Dockerfile:1\)/)
    expect(text.stdout).toContain('command: echo "hello $NAME"')
    expect(text.stdout).toContain('env: NAME=foo')
  })

  it('LWDOW6 (moby/buildkit integration-tests, 84 vertices): every Dockerfile step has a definition and a line', async () => {
    const db = path.join(tmp(), 'index.db')
    const ingest = await runCli(['ingest', bundle('moby~buildkit~LWDOW6.dockerbuild'), '--db', db, '--no-git'])
    expect(ingest.exitCode, ingest.stderr).toBe(0)
    const res = await runCli(['show', 'latest', '--db', db, '--json'])
    const steps = (res.json as Json).run.steps as Json[]
    const dockerfileSteps = steps.filter((s) => !s.internal)
    expect(dockerfileSteps.length).toBe(73)
    expect(dockerfileSteps.filter((s) => !s.provenance)).toEqual([])
    const byName = (text: string) => steps.find((s) => s.instruction === text)
    // lines read from the Dockerfile inside the record's provenance
    expect(byName('COPY --link --from=runc /usr/bin/runc /buildkit-runc').provenance.location).toMatchObject({file: 'Dockerfile', startLine: 179})
    expect(byName('WORKDIR /src').provenance.location.startLine).toBe(75)
    // cache mounts come through with their id
    const withCache = dockerfileSteps.filter((s) => s.provenance.definition.exec?.mounts.some((m: Json) => m.type === 'cache'))
    expect(withCache.length).toBeGreaterThan(0)
    expect(withCache[0].provenance.definition.exec.mounts.find((m: Json) => m.type === 'cache')).toMatchObject({target: expect.stringMatching(/^\/(root\/\.cache|go\/pkg\/mod)$/), cacheId: expect.stringMatching(/^\/\//)})
    const text = await runCli(['show', 'latest', '--db', db])
    const stepLines = text.stdout.split('\n').filter((l) => /^\s+(RAN|CACHED|FAIL|SKIP|ERROR)\b/.test(l))
    expect(stepLines.length).toBe(73)
    expect(stepLines.filter((l) => !/\(Dockerfile:\d+(-\d+)?\)$/.test(l))).toEqual([])
  })

  it('CLI: a hostile --provenance file is exit 2 naming the file and the fix; the index is not created', async () => {
    const work = tmp()
    const db = path.join(work, 'index.db')
    const bad = path.join(work, 'provenance.json')
    writeFileSync(bad, '{"predicate":' + '['.repeat(200) + ']'.repeat(200) + '}')
    const res = await runCli(['ingest', path.join(PROJECT_ROOT, 'fixtures/provenance-0.11/p5-src-edit/rawjson.json'), '--provenance', bad, '--db', db, '--no-git'])
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toContain(bad)
    expect(res.stderr).toMatch(/nests deeper than 64 levels/)
    expect(res.stderr).toMatch(/[Ff]ix/)
    expect(existsSync(db)).toBe(false)
  })
})
