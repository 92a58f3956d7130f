/** `plan diff` through the service: two bake files, and two git revisions of one bake file. */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import {diffPlans} from '../../src/services/plan.js'

const tmp = mkdtempSync(path.join(os.tmpdir(), 'plan-diff-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

const V1 = `variable "VERSION" {\n  default = "1.0"\n}\ntarget "api" {\n  args = { VERSION = VERSION, API_TOKEN = "old" }\n  tags = ["acme/api:\${VERSION}"]\n  dockerfile-inline = "FROM alpine\\nRUN echo one\\n"\n}\ntarget "web" {\n  tags = ["acme/web"]\n}\ngroup "default" {\n  targets = ["api", "web"]\n}\n`
const V2 = `variable "VERSION" {\n  default = "1.1"\n}\ntarget "api" {\n  args = { VERSION = VERSION, API_TOKEN = "new" }\n  tags = ["acme/api:\${VERSION}", "acme/api:latest"]\n  dockerfile-inline = "FROM alpine\\nRUN echo two\\n"\n}\ntarget "web" {\n  tags = ["acme/web"]\n}\ntarget "worker" {\n  context = "./worker"\n}\ngroup "default" {\n  targets = ["api", "web", "worker"]\n}\n`

describe('plan diff', () => {
  test('two bake files: per-target, per-attribute changes; secret-looking args hidden', async () => {
    writeFileSync(path.join(tmp, 'v1.hcl'), V1)
    writeFileSync(path.join(tmp, 'v2.hcl'), V2)
    const r = await diffPlans({cwd: tmp, env: {}, left: {kind: 'files', files: ['v1.hcl']}, right: {kind: 'files', files: ['v2.hcl']}, source: 'builtin'})
    expect(r.diff.same).toBe(false)
    expect(r.diff.unchangedTargets).toEqual(['web'])
    const api = r.diff.targets.find((t) => t.name === 'api')
    expect(api?.status).toBe('changed')
    const byAttr = Object.fromEntries((api?.attributes ?? []).map((a) => [a.attribute, a]))
    expect(byAttr['args.VERSION']).toMatchObject({kind: 'changed', before: '1.0', after: '1.1'})
    expect(byAttr['args.API_TOKEN']).toMatchObject({kind: 'changed'})
    expect(JSON.stringify(byAttr['args.API_TOKEN'])).not.toContain('new')
    expect(byAttr.tags?.changes).toEqual([
      {op: 'removed', value: 'acme/api:1.0'},
      {op: 'added', value: 'acme/api:1.1'},
      {op: 'added', value: 'acme/api:latest'},
    ])
    expect(byAttr['dockerfile-inline']?.changes).toEqual([
      {op: 'same', value: 'FROM alpine\n'},
      {op: 'removed', value: 'RUN echo one\n'},
      {op: 'added', value: 'RUN echo two\n'},
    ])
    expect(r.diff.targets.find((t) => t.name === 'worker')).toMatchObject({status: 'added'})
    expect(r.diff.groups).toEqual([{name: 'default', status: 'changed', before: ['api', 'web'], after: ['api', 'web', 'worker']}])
    expect(r.left.hash).not.toBe(r.right.hash)
  })

  test('two git revisions of the same bake file', async () => {
    const repo = path.join(tmp, 'repo')
    execFileSync('mkdir', ['-p', repo])
    const git = (...args: string[]): string => execFileSync('git', args, {cwd: repo, encoding: 'utf8', env: {...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x'}})
    git('init', '-q')
    writeFileSync(path.join(repo, 'docker-bake.hcl'), V1)
    git('add', '.')
    git('commit', '-qm', 'v1')
    writeFileSync(path.join(repo, 'docker-bake.hcl'), V2)
    git('commit', '-qam', 'v2')
    writeFileSync(path.join(repo, 'docker-bake.hcl'), 'target "api" {}\n') // working tree differs: must not be read
    const r = await diffPlans({cwd: repo, env: {}, left: {kind: 'rev', rev: 'HEAD~1'}, right: {kind: 'rev', rev: 'HEAD'}, targets: ['api']})
    expect(r.left.label).toBe('HEAD~1')
    const attrs = r.diff.targets.find((t) => t.name === 'api')?.attributes.map((a) => a.attribute)
    expect(attrs).toEqual(['dockerfile-inline', 'args.API_TOKEN', 'args.VERSION', 'tags'])
  })

  test('an unknown revision is a usage error naming it', async () => {
    await expect(diffPlans({cwd: path.join(tmp, 'repo'), env: {}, left: {kind: 'rev', rev: 'nope'}, right: {kind: 'rev', rev: 'HEAD'}})).rejects.toThrow(/at revision nope/)
  })
})
