/**
 * Planted secrets never reach the index or any output.
 *  - build args: a secret-named arg (NPM_TOKEN, name-based) and a token-shaped value, planted in a
 *    buildx metadata file AND echoed into step names and step logs of the event stream; then every
 *    reading command (ingest/show/explain/diff/gate) in text, --json and markdown.
 *  - `build --set '*.args.NPM_TOKEN=…'` through the engine driver (fake Engine), with the daemon
 *    echoing the value back in its error message.
 *  - a registry password from a temporary DOCKER_CONFIG, against a real HTTPS registry with Basic
 *    auth (test/reliability/fake-registry.ts), on success and on failure.
 * Checked in: the index file bytes and its -wal, stdout, stderr.
 *
 * Referenced, not repeated: the index is created 0600 in a 0700 directory
 * (test/cli/ingest-runs-show.test.ts "creates the index 0600 in a 0700 directory"); Authorization is
 * never sent to another origin (test/registry/mock-faults.test.ts "bearer flow … blob redirect to
 * another origin drops Authorization"); TLS verification (test/reliability/registry-faults.test.ts).
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {PROJECT_ROOT, runCli, type CliResult} from '../helpers/cli.js'
import {ENGINE_DOCKERFILE, ENGINE_STREAM, startFakeEngine} from '../helpers/fake-engine.js'
import {capture, FIXTURES} from '../helpers/fixtures.js'
import {createTestPki, requireTools, skipNote} from '../helpers/registry.js'
import {startFakeRegistry, type FakeRegistry} from './fake-registry.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-secrets-'))

/** The secret in every form it could leak in: plain, base64, hex, URL-encoded, JSON-escaped. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex'), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]
}

function expectNoSecret(where: string, text: string | Buffer, secrets: string[]): void {
  const hay = Buffer.isBuffer(text) ? text : Buffer.from(text)
  for (const s of secrets) {
    for (const f of forms(s)) expect(hay.includes(f), `${where} contains the secret (${f.slice(0, 6)}…)`).toBe(false)
  }
}

function expectIndexClean(db: string, secrets: string[]): void {
  expect(existsSync(db)).toBe(true)
  for (const f of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(f)) expectNoSecret(path.basename(f), readFileSync(f), secrets)
}

function expectOutputClean(what: string, res: CliResult, secrets: string[]): void {
  expectNoSecret(`${what} stdout`, res.stdout, secrets)
  expectNoSecret(`${what} stderr`, res.stderr, secrets)
}

describe('a secret build arg planted in the metadata file and the event stream', () => {
  const NAMED = 'correct-horse-battery-staple-42' // not token-shaped: recognised by its name, NPM_TOKEN
  const SHAPED = 'ghp_Q2xhc3NpZmllZFRva2VuVmFsdWUxMjM0NTY3OA' // token-shaped, under an innocent name
  const secrets = [NAMED, SHAPED]
  let dir: string
  let db: string

  beforeAll(async () => {
    dir = tmp()
    db = path.join(dir, 'idx', 'index.db')
    // baseline run r1 (same build, no secret), then the run with secrets
    const base = await runCli(['ingest', capture('r2-warm-remote'), '--target', 'api', '--db', db, '--no-git'])
    expect(base.exitCode, base.stderr).toBe(0)

    const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'buildkit-0.11-rawjson', 'r3-code-change', 'metadata.json'), 'utf8'))
    for (const p of ['linux/amd64', 'linux/arm64']) {
      meta[`containerimage.buildinfo/${p}`].attrs['build-arg:NPM_TOKEN'] = NAMED
      meta[`containerimage.buildinfo/${p}`].attrs['build-arg:GREETING'] = SHAPED
    }
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta))

    let events = readFileSync(capture('r3-code-change'), 'utf8')
      .replaceAll('echo \\"env=production\\"', `echo \\"token=${NAMED} greeting=${SHAPED}\\"`)
    expect(events).toContain(NAMED)
    // and in a step's output (base64 log data), as npm would print it
    const digest = /"digest":"(sha256:[0-9a-f]{64})","inputs":\[[^\]]*\],"name":"\[linux\/amd64 [^"]*RUN/.exec(events)?.[1]
    expect(digest).toBeDefined()
    const log = Buffer.from(`npm http fetch GET 200 https://registry.npmjs.org/ authorization=${NAMED}\nGREETING is ${SHAPED}\n`).toString('base64')
    events += `\n{"logs":[{"vertex":"${digest}","stream":2,"data":"${log}","timestamp":"2024-05-01T10:00:00.5Z"}]}\n`
    writeFileSync(path.join(dir, 'events.json'), events)
  })

  it('ingest (text and --json) prints no secret and stores none', async () => {
    const res = await runCli(['ingest', path.join(dir, 'events.json'), '--target', 'api', '--metadata', path.join(dir, 'meta.json'), '--db', db, '--no-git', '--json'])
    expect(res.exitCode, res.stderr).toBe(0)
    expectOutputClean('ingest --json', res, secrets)
    expectIndexClean(db, secrets)
  })

  it('show, explain, diff and gate in text, --json and markdown print no secret', async () => {
    const runs: Array<[string, string[]]> = [
      ['show', ['show', 'latest']],
      ['show --json', ['show', 'latest', '--json']],
      ['explain', ['explain', 'latest', '--no-tui', '--all']],
      ['explain --json', ['explain', 'latest', '--json', '--all']],
      ['explain markdown', ['explain', 'latest', '--format', 'markdown', '--all']],
      ['diff', ['diff', 'r1', 'r2']],
      ['diff --json', ['diff', 'r1', 'r2', '--json']],
      ['gate', ['gate', '--min-hit-rate', '90']],
      ['gate --json', ['gate', '--min-hit-rate', '90', '--json']],
      ['gate markdown', ['gate', '--min-hit-rate', '90', '--format', 'markdown']],
      ['gate junit', ['gate', '--min-hit-rate', '90', '--format', 'junit']],
      ['runs --json', ['runs', '--json']],
    ]
    let sawStep = false
    for (const [what, args] of runs) {
      const res = await runCli([...args, '--db', db], {cwd: dir})
      expect([0, 1], `${what}: ${res.stderr}`).toContain(res.exitCode)
      expectOutputClean(what, res, secrets)
      if (what === 'show --json') {
        // the step whose name carried the secrets is there, scrubbed
        const text = JSON.stringify(res.json)
        expect(text).toMatch(/token=/)
        sawStep = true
      }
    }
    expect(sawStep).toBe(true)
    expectIndexClean(db, secrets)
  })
})

describe('build --set "*.args.NPM_TOKEN=…" through the engine driver (fake Engine)', () => {
  it('the value goes to the engine (it needs it) but never to the index or the output, even when the daemon echoes it', async () => {
    const SECRET = 'npm_live_value_that_must_stay_private_7'
    const p = tmp()
    writeFileSync(path.join(p, 'Dockerfile'), readFileSync(ENGINE_DOCKERFILE, 'utf8').replace('ARG GREETING=hello', 'ARG GREETING=hello\nARG NPM_TOKEN'))
    writeFileSync(path.join(p, 'hello.txt'), 'hello\n')
    const lines = readFileSync(ENGINE_STREAM, 'utf8').split('\n').filter(Boolean)
    // the daemon fails the build and quotes the secret (as a failing `npm ci` would)
    const stream = path.join(p, 'stream.jsonl')
    writeFileSync(stream, [...lines.slice(0, 20), JSON.stringify({errorDetail: {message: `npm ERR! 401 Unauthorized token ${SECRET}`}, error: `npm ERR! 401 Unauthorized token ${SECRET}`})].join('\r\n') + '\r\n')
    const engine = await startFakeEngine({kind: 'replay', file: stream})
    try {
      const db = path.join(p, 'idx', 'index.db')
      const res = await runCli(['build', '--driver', 'engine', '--context', p, '--db', db, '--set', `*.args.NPM_TOKEN=${SECRET}`, '--json'], {cwd: p, env: {DOCKER_HOST: engine.dockerHost}})
      expect(res.exitCode, res.stderr).toBe(1) // the build failed
      expect(JSON.parse(engine.builds[0]!.query.get('buildargs') ?? '{}')).toMatchObject({NPM_TOKEN: SECRET})
      expectOutputClean('build --json', res, [SECRET])
      const text = await runCli(['build', '--driver', 'engine', '--context', p, '--db', db, '--set', `*.args.NPM_TOKEN=${SECRET}`], {cwd: p, env: {DOCKER_HOST: engine.dockerHost}})
      expectOutputClean('build', text, [SECRET])
      expect(text.stdout + text.stderr).toMatch(/npm ERR! 401 Unauthorized token/)
      for (const args of [['show', 'latest', '--json'], ['explain', 'latest', '--json', '--all'], ['diff', 'r1', 'r2'], ['runs', '--json']]) {
        const r = await runCli([...args, '--db', db], {cwd: p})
        expectOutputClean(args.join(' '), r, [SECRET])
      }
      expectIndexClean(db, [SECRET])
    } finally {
      await engine.close()
    }
  })
})

describe.skipIf(!requireTools(['openssl']))(`a registry password from DOCKER_CONFIG${skipNote(['openssl'])}`, () => {
  const USER = 'ci-bot'
  const PASSWORD = 'Registry-Pa55word-never-printed'
  let reg: FakeRegistry
  let caFile: string
  let config: string
  let wrongConfig: string

  beforeAll(async () => {
    const work = tmp()
    mkdirSync(path.join(work, 'pki'))
    const pki = await createTestPki(path.join(work, 'pki'))
    caFile = pki.caFile
    reg = await startFakeRegistry({tls: {certFile: pki.certFile, keyFile: pki.keyFile}, basic: {user: USER, password: PASSWORD}})
    config = path.join(work, 'good')
    wrongConfig = path.join(work, 'wrong')
    mkdirSync(config)
    mkdirSync(wrongConfig)
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({auths: {[reg.host]: {auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}}}))
    writeFileSync(path.join(wrongConfig, 'config.json'), JSON.stringify({auths: {[reg.host]: {username: USER, password: `${PASSWORD}-wrong`}}}))
  })
  afterAll(async () => {
    await reg?.close()
  })

  it('cache inspect (text and --json) succeeds with it and never prints it', async () => {
    for (const extra of [[], ['--json']]) {
      const res = await runCli(['cache', 'inspect', reg.ref, '--ca-file', caFile, ...extra], {env: {DOCKER_CONFIG: config}})
      expect(res.exitCode, res.stderr).toBe(0)
      expectOutputClean(`cache inspect ${extra.join(' ')}`, res, [PASSWORD, `${USER}:${PASSWORD}`])
    }
    // it was really used: the registry saw the Basic credentials
    expect(reg.requests.some((r) => r.authorization?.startsWith('Basic '))).toBe(true)
  })

  it('a rejected password fails with exit 1 and a named message, and is not printed either', async () => {
    const res = await runCli(['cache', 'inspect', reg.ref, '--ca-file', caFile], {env: {DOCKER_CONFIG: wrongConfig}})
    expect(res.exitCode).toBe(1)
    expect(res.stderr).toMatch(/rejected the stored credentials/)
    expectOutputClean('cache inspect (wrong password)', res, [PASSWORD, `${PASSWORD}-wrong`, `${USER}:${PASSWORD}-wrong`])
  })
})

export {PROJECT_ROOT}
