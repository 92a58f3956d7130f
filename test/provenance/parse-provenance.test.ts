import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {InputError} from '../../src/domain/errors.js'
import {parseProvenanceText, parseProvenanceValue} from '../../src/domain/provenance/parse-provenance.js'
import {FIXTURES} from '../helpers/fixtures.js'
import {PROJECT_ROOT} from '../helpers/cli.js'

const prov = (run: string, file: string) => readFileSync(path.join(FIXTURES, 'provenance-0.11', run, file), 'utf8')
const parse = (text: string) => parseProvenanceText(text, {salt: 'salt'})
const stepAt = (text: string, line: number) => parse(text).records[0]!.steps.find((s) => s.location?.startLine === line)!

describe('SLSA v0.2 statements as BuildKit v0.11 wrote them (provenance-0.11)', () => {
  const amd = parse(prov('p3-build-mode', 'provenance.linux_amd64.json')).records[0]!

  it('reads every op with its target platform, kind, and Dockerfile line', () => {
    expect(amd.predicateType).toBe('v0.2')
    expect(amd.mode).toBe('max')
    expect(amd.platform).toBe('linux/amd64')
    // 11 ops in the statement; the result pseudo-op (step10) is left out
    expect(amd.steps.map((s) => s.id)).toEqual(['step0', 'step1', 'step2', 'step3', 'step4', 'step5', 'step6', 'step7', 'step8', 'step9'])
    const run = amd.steps.find((s) => s.id === 'step8')!
    expect(run.definition.kind).toBe('exec')
    expect(run.definition.exec!.args[2]).toBe('cat src/*.txt vendor/resolved.txt > shop.bundle && echo "mode=$BUILD_MODE" >> shop.bundle && sha256sum shop.bundle > shop.sha256')
    expect(run.definition.exec!.env.BUILD_MODE).toBe('debug')
    expect(run.definition.exec!.cwd).toBe('/work')
    expect(run.location).toEqual({file: 'Dockerfile', startLine: 12, endLine: 12, text: ['RUN cat src/*.txt vendor/resolved.txt > shop.bundle && echo "mode=$BUILD_MODE" >> shop.bundle && sha256sum shop.bundle > shop.sha256']})
    expect(run.parents).toEqual(['step7'])
  })

  it('file ops: copy source, destination and the input it copies from; context reads', () => {
    const copySrc = amd.steps.find((s) => s.id === 'step7')!
    expect(copySrc.definition.inputs).toEqual(['step', 'context'])
    expect(copySrc.definition.file!.actions[0]).toMatchObject({type: 'copy', src: '/src', dest: '/work/src/', from: 'input 1'})
    expect(copySrc.readsContext).toBe(true)
    expect(copySrc.location?.startLine).toBe(10)
    const workdir = amd.steps.find((s) => s.id === 'step1')!
    expect(workdir.definition.file!.actions[0]).toMatchObject({type: 'mkdir', path: '/work', mode: '0755'})
    expect(workdir.readsContext).toBe(false)
    // everything after a context copy depends on the context's content
    expect(amd.steps.find((s) => s.id === 'step8')!.readsContext).toBe(true)
  })

  it('sources: image ref and pinned digest; the context source has no session attrs', () => {
    const base = amd.steps.find((s) => s.id === 'step0')!
    expect(base.definition.source).toMatchObject({ref: '127.0.0.1:5001/base/busybox:1', digest: 'sha256:7cd50166dd88f6eba42599c9a2658c440f36e05374e427702298924772bd3638'})
    const context = amd.steps.find((s) => s.id === 'step3')!
    expect(context.definition.source!.identifier).toBe('local://context')
    expect(Object.keys(context.definition.source!.attrs).sort()).toEqual(['local.followpaths', 'local.sharedkeyhint'])
    expect(amd.digestToStep['sha256:64b7c7dca42ef33ba9b8469b99567c5845c6d6b5eaf3558b48b0a13384295bfd']).toBe('step3')
    expect(amd.buildArgs).toEqual({BUILD_MODE: 'debug'})
    expect(amd.materials[0]).toEqual({uri: 'pkg:docker/127.0.0.1%3A5001/base/busybox@1?platform=linux%2Famd64', digest: 'sha256:7cd50166dd88f6eba42599c9a2658c440f36e05374e427702298924772bd3638'})
  })

  it('identical ops of two runs have equal hashes and lineage; a changed env changes the step and everything after it', () => {
    const p2 = parse(prov('p2-warm', 'provenance.linux_amd64.json')).records[0]!
    const byLine = (r: typeof amd, line: number) => r.steps.find((s) => s.location?.startLine === line)!
    for (const line of [2, 3, 5, 8, 9, 10]) {
      expect(byLine(amd, line).hash).toBe(byLine(p2, line).hash)
      expect(byLine(amd, line).lineage).toBe(byLine(p2, line).lineage)
    }
    expect(byLine(amd, 12).definition.exec!.env.BUILD_MODE).toBe('debug')
    expect(byLine(p2, 12).definition.exec!.env.BUILD_MODE).toBe('release')
    expect(byLine(amd, 12).hash).not.toBe(byLine(p2, 12).hash)
    expect(byLine(amd, 18).hash).toBe(byLine(p2, 18).hash)
    expect(byLine(amd, 18).lineage).not.toBe(byLine(p2, 18).lineage)
  })

  it('arm64 ops differ from amd64 ops only by platform', () => {
    const arm = parse(prov('p3-build-mode', 'provenance.linux_arm64.json')).records[0]!
    expect(arm.platform).toBe('linux/arm64')
    const run = arm.steps.find((s) => s.location?.startLine === 12)!
    const {platform, ...armDef} = run.definition
    const {platform: p2, ...amdDef} = amd.steps.find((s) => s.location?.startLine === 12)!.definition
    expect(platform).toBe('linux/arm64')
    expect(p2).toBe('linux/amd64')
    expect(armDef).toEqual(amdDef)
  })

  it('a cache mount keeps its target and id', () => {
    // p12 has no provenance; the mount is in the LWDOW6 bundle (see the dockerbuild tests) — here a
    // p7 RUN has only the root bind mount
    const run = stepAt(prov('p7-run-edit', 'provenance.json'), 12)
    expect(run.definition.exec!.mounts).toEqual([{type: 'bind', target: '/', source: 'input 0'}])
    expect(run.definition.exec!.args[2]).toContain('sha256sum shop.bundle | tee shop.sha256')
  })
})

describe('SLSA v1 statements', () => {
  it('reads buildDefinition.internalParameters.buildConfig and runDetails.metadata.buildkit_metadata', () => {
    const text = readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/dockerbuild/provenance/single.json'), 'utf8')
    const r = parse(text).records[0]!
    expect(r.predicateType).toBe('v1')
    expect(r.mode).toBe('max')
    expect(r.platform).toBe('linux/amd64')
    expect(r.steps.length).toBeGreaterThan(1)
    expect(r.steps.every((s) => Object.values(r.digestToStep).includes(s.id))).toBe(true)
    expect(r.steps.some((s) => s.location && s.location.text.length > 0)).toBe(true)
    expect(r.materials.some((m) => m.digest === 'sha1:bdb96fcfe8cc9e3a54800bc2537a4d4a14f0c5fe')).toBe(true)
  })
})

describe('secrets and hostile input', () => {
  const statement = (env: string[], args: Record<string, string> = {}) => JSON.stringify({
    predicateType: 'https://slsa.dev/provenance/v0.2',
    predicate: {
      buildType: 'https://mobyproject.org/buildkit@v1',
      invocation: {parameters: {args}},
      buildConfig: {llbDefinition: [
        {id: 'step0', op: {Op: {source: {identifier: 'docker-image://alpine@sha256:' + 'a'.repeat(64), attrs: {}}}, platform: {OS: 'linux', Architecture: 'amd64'}}},
        {id: 'step1', op: {Op: {exec: {meta: {args: ['/bin/sh', '-c', 'echo hi'], env}, mounts: [{input: 0, dest: '/', output: 0}]}}, platform: {OS: 'linux', Architecture: 'amd64'}}, inputs: ['step0:0']},
      ], digestMapping: {}},
    },
  })

  it('masks secret-looking env and build-arg values with a salted hash and reports their plaintext', () => {
    const parsed = parse(statement(['NPM_TOKEN=s3cr3t-value', 'MODE=debug', 'X=ghp_' + 'a'.repeat(36)], {'build-arg:NPM_TOKEN': 's3cr3t-value'}))
    const env = parsed.records[0]!.steps[1]!.definition.exec!.env
    expect(env.MODE).toBe('debug')
    expect(env.NPM_TOKEN).toMatch(/^secret:[0-9a-f]{16}$/)
    expect(env.X).toMatch(/^secret:/)
    expect(parsed.records[0]!.buildArgs.NPM_TOKEN).toBe(env.NPM_TOKEN)
    expect(parsed.secretValues).toContain('s3cr3t-value')
    expect(JSON.stringify(parsed.records)).not.toContain('s3cr3t-value')
  })

  it('refuses deep nesting, too many steps and non-provenance JSON with an InputError', () => {
    const deep = '['.repeat(100) + ']'.repeat(100)
    expect(() => parse(deep)).toThrow(/nests deeper than 64/)
    expect(() => parseProvenanceText(statement(['A=1']), {salt: '', limits: {maxSteps: 1}})).toThrow(/defines 2 steps, more than the 1 limit/)
    expect(() => parse('{"hello": 1}')).toThrow(InputError)
    expect(() => parse('{"predicateType": "https://spdx.dev/Document", "predicate": {}}')).toThrow(/unsupported predicate type/)
    expect(() => parse('{not json')).toThrow(/not valid JSON/)
    expect(() => parseProvenanceValue({a: {b: {c: 1}}}, {salt: '', limits: {maxDepth: 2}})).toThrow(/nests deeper/)
  })

  it('a cycle in the LLB graph is an error, not a hang', () => {
    const text = JSON.stringify({buildType: 'x', buildConfig: {llbDefinition: [
      {id: 'step0', op: {Op: {exec: {meta: {args: ['a']}}}}, inputs: ['step1:0']},
      {id: 'step1', op: {Op: {exec: {meta: {args: ['b']}}}}, inputs: ['step0:0']},
    ]}})
    expect(() => parse(text)).toThrow(/cycle/)
  })
})
