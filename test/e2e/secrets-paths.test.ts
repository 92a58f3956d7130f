/**
 * Issue #13, the paths the planted-secrets corpus (secrets-corpus.test.ts) does not take: a real
 * loopback docker-registry (cache inspect / check, team history push and pull), `build --driver
 * buildx` (a stand-in `docker` on PATH replaying a real BuildKit capture, planted), `report --html`,
 * token-shaped values in free text (step names, log lines, errors, buildx's plain-text error lines,
 * a CI origin URL with `x-access-token:ghs_…@`), and tokens cut by the log tail's limits.
 *
 * Checked: the index and its WAL, every stdout, stderr and written file, every file of the
 * registry's storage (what history push put in the shared store) and the index history pull
 * filled: no planted value in any form.
 */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {gunzipSync} from 'node:zlib'
import {request} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {PROJECT_ROOT, runCli, type CliResult} from '../helpers/cli.js'
import {plant, plantedIn, random} from '../helpers/planted-secrets.js'
import {requireTools, skipNote, startRegistry, type RunningRegistry} from '../helpers/registry.js'

const TOOLS = ['docker-registry']
const enabled = requireTools(TOOLS)

const GHS = plant.github('ghs') // a GitHub App installation token: what actions/checkout puts in origin
const PAT = `github_pat_${random(22)}_${random(59)}`
const GH = plant.github()
const NPM = plant.npm()
const AKIA = plant.awsKeyId()
const AWS_SECRET = plant.awsSecret()
const JWT = plant.jwt()
const {text: PEM, lines: PEM_LINES} = plant.pem('RSA PRIVATE KEY')
const URL_PASSWORD = `pw${random(14)}`
const NAMED = `horse-${random(12)}` // recognised by its name only (NPM_TOKEN, a label key)
// tokens the log tail cuts: its head cut off (a window or partial line that starts inside it), its end cut off (a line over the length limit)
const CUT_HEAD = plant.github()
const CUT_PARTIAL = plant.github()
const CUT_END = plant.github()
const ORIGIN = `https://x-access-token:${GHS}@github.com/acme/shop.git`
const PLANTED: Record<string, string> = {
  GHS, PAT, GH, NPM, AKIA, AWS_SECRET, JWT, PEM_0: PEM_LINES[0]!, PEM_1: PEM_LINES[1]!, PEM_2: PEM_LINES[2]!, URL_PASSWORD, NAMED,
  // the parts a cut leaves: the rest of a token whose prefix was cut, the start of one whose end was
  CUT_HEAD_REST: CUT_HEAD.slice(-16), CUT_PARTIAL_REST: CUT_PARTIAL.slice(-16), CUT_END_START: CUT_END.slice(0, 20),
}

const CAPTURES = path.join(PROJECT_ROOT, 'fixtures/buildkit-0.11-rawjson')

describe.skipIf(!enabled)(`planted secrets: registry, history, buildx, report --html, free text, cut logs${skipNote(TOOLS)}`, () => {
  let root: string
  let dir: string
  let db: string
  let reg: RunningRegistry
  /** the team history's registry: nothing else is pushed to it, so every byte in its storage came from bakedoctor */
  let historyReg: RunningRegistry
  let fakeBin: string
  let imageRef: string
  const outputs: Array<{what: string; bytes: Buffer}> = []

  const cli = async (args: string[], expectCodes: number[] = [0], env: Record<string, string | undefined> = {}): Promise<CliResult> => {
    const res = await runCli(args.includes('--db') ? args : [...args, '--db', db], {cwd: dir, timeoutMs: 180_000, env: {PATH: `${fakeBin}:${process.env.PATH}`, DOCKER_CONFIG: path.join(root, 'docker'), ...env}})
    outputs.push({what: `${args.join(' ')} stdout`, bytes: Buffer.from(res.stdout)}, {what: `${args.join(' ')} stderr`, bytes: Buffer.from(res.stderr)})
    expect(expectCodes, `${args.join(' ')} exited ${res.exitCode}: ${res.stderr.slice(0, 2000)}`).toContain(res.exitCode)
    return res
  }

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'bakedoctor-secrets-paths-'))
    dir = path.join(root, 'project')
    mkdirSync(dir)
    mkdirSync(path.join(root, 'docker'))
    writeFileSync(path.join(root, 'docker', 'config.json'), '{}')
    db = path.join(root, 'idx', 'index.db')
    ;[reg, historyReg] = await Promise.all([startRegistry(), startRegistry()])
    imageRef = await pushLabelledImage(reg.url, 'app/image', 'labels')
    // `docker` on PATH: the test stand-in that replays a capture for `docker buildx bake`
    fakeBin = path.join(root, 'bin')
    mkdirSync(fakeBin)
    copyFileSync(path.join(PROJECT_ROOT, 'test/build/fake-docker/docker'), path.join(fakeBin, 'docker'))
    chmodSync(path.join(fakeBin, 'docker'), 0o755)
    mkdirSync(path.join(dir, 'app'))
    writeFileSync(path.join(dir, 'docker-bake.hcl'), 'target "api" {}\n')
    writeFileSync(
      path.join(root, 'plan.json'),
      JSON.stringify({group: {default: {targets: ['api']}}, target: {api: {context: 'app', args: {GIT_SHA: 'fff666', GH, NPM_TOKEN: NAMED, REPO: ORIGIN, JWT, KEY: PEM}, labels: {'org.opencontainers.image.source': ORIGIN}, platforms: ['linux/amd64']}}}),
    )
  }, 120_000)

  afterAll(async () => {
    await Promise.all([reg?.stop(), historyReg?.stop()])
    if (root) rmSync(root, {recursive: true, force: true})
  })

  it('build --driver buildx: planted step names, logs, errors and plain-text error lines; tokens cut by the log tail', async () => {
    const capture = plantCapture(path.join(CAPTURES, 'r10-failed'), path.join(root, 'capture'))
    const env = {FAKE_DOCKER_PLAN: path.join(root, 'plan.json'), FAKE_DOCKER_CAPTURE: capture}
    await cli(['build', 'api', '--driver', 'buildx'], [1], env)
    const show = await cli(['show', 'latest', '--json'])
    const text = JSON.stringify(show.json)
    // the failed step keeps its tail (redacted), so the cut tokens were there to leak
    expect(text).toMatch(/secret:[0-9a-f]{16}/)
    expect(text).toContain('cut here')
    // and the same capture ingested, every step keeping its tail
    await cli(['ingest', path.join(capture, 'rawjson.json'), '--keep-logs', 'all', '--no-git', '--label', `repo=${ORIGIN}`])
    await cli(['show', 'latest'])
    await cli(['explain', 'latest', '--no-tui', '--all'])
    await cli(['explain', 'latest', '--json', '--all'])
  }, 600_000)

  it('a checkout whose origin carries the CI token, a bake file with a remote context: plan, plan diff --rev, build', async () => {
    // what actions/checkout-style CI leaves: origin = https://x-access-token:ghs_…@github.com/…
    const git = (...args: string[]) => execFileSync('git', args, {cwd: dir, env: {...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com'}})
    const remote = (gh: string) => `group "default" {\n  targets = ["remote"]\n}\ntarget "remote" {\n  context = "${ORIGIN}#main"\n  args = {\n    GH = "${gh}"\n    NPM_TOKEN = "${NAMED}"\n  }\n}\n`
    writeFileSync(path.join(dir, 'remote.hcl'), remote(GH))
    git('init', '-q', '-b', 'main')
    git('remote', 'add', 'origin', ORIGIN)
    git('add', 'remote.hcl', 'docker-bake.hcl')
    git('commit', '-q', '-m', 'bake')
    writeFileSync(path.join(dir, 'remote.hcl'), remote(PAT))
    git('commit', '-q', '-am', 'token changed')
    const plan = await cli(['plan', 'remote', '-f', 'remote.hcl', '--source', 'builtin', '--json'])
    expect(JSON.stringify(plan.json)).toMatch(/https:\/\/secret:[0-9a-f]{16}@github\.com\/acme\/shop\.git#main/)
    await cli(['plan', 'remote', '-f', 'remote.hcl', '--source', 'builtin'])
    // resolved by `docker buildx bake --print` (the stand-in prints plan.json: secrets in args, labels, a remote context)
    for (const json of [[], ['--json']]) await cli(['plan', 'api', '--source', 'buildx', ...json], [0], {FAKE_DOCKER_PLAN: path.join(root, 'plan.json')})
    const diff = await cli(['plan', 'diff', '--rev', 'HEAD~1', '--rev', 'HEAD', '-f', 'remote.hcl'], [0, 1])
    expect(diff.stdout).toMatch(/args\.GH: secret:[0-9a-f]{16} → secret:[0-9a-f]{16}/)
    await cli(['plan', 'diff', '--rev', 'HEAD~1', '--rev', 'HEAD', '-f', 'remote.hcl', '--json'], [0, 1])
    // the engine driver builds local contexts only: its error names the context
    await cli(['build', 'remote', '-f', 'remote.hcl', '--driver', 'engine'], [1, 2])
    await cli(['build', 'remote', '-f', 'remote.hcl', '--driver', 'engine', '--json'], [1, 2])
  }, 300_000)

  it('report --html', async () => {
    const file = path.join(root, 'report.html')
    await cli(['report', '--html', file])
    outputs.push({what: 'report.html', bytes: readFileSync(file)})
    expect(readFileSync(file, 'utf8')).toContain('<html')
  }, 300_000)

  it('cache inspect and cache check: credentials in the ref, secrets in labels, annotations and tags', async () => {
    const host = new URL(reg.url).host
    await cli(['cache', 'inspect', imageRef, '--insecure'], [0, 1])
    await cli(['cache', 'inspect', imageRef, '--insecure', '--json'], [0, 1])
    for (const ref of [`https://deploy:${URL_PASSWORD}@${host}/app/image:labels`, `deploy:${URL_PASSWORD}@${host}/app/image:labels`, `${host}/app/image:${GH}`, `${host}/app/${NPM.toLowerCase()}:latest`]) {
      await cli(['cache', 'inspect', ref, '--insecure'], [0, 1, 2])
      await cli(['cache', 'inspect', ref, '--insecure', '--json'], [0, 1, 2])
    }
    // a registry whose errors echo credentials and tokens back (a proxy quoting the upstream URL)
    const echo = createServer((req, res) => {
      res.writeHead(403, {'content-type': 'application/json', 'www-authenticate': `Basic realm="https://robot:${URL_PASSWORD}@auth.example.com/token?t=${GH}"`})
      res.end(JSON.stringify({errors: [{code: 'DENIED', message: `upstream https://robot:${URL_PASSWORD}@registry.example.com${req.url} rejected token ${GH}`, detail: {token: JWT, npm: NPM}}]}))
    })
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
    const echoHost = `127.0.0.1:${(echo.address() as AddressInfo).port}`
    try {
      for (const json of [[], ['--json']]) {
        await cli(['cache', 'inspect', `${echoHost}/app/cache:main`, '--insecure', ...json], [1])
        await cli(['history', 'push', `${echoHost}/team/history`, '--insecure', ...json], [1])
        await cli(['history', 'pull', `${echoHost}/team/history`, '--insecure', ...json], [1])
      }
    } finally {
      echo.close()
    }
    // cache check of the run (its recorded base, 127.0.0.1:5000, is not up here: --base stands in for it)
    const check = await cli(['cache', 'inspect', '--run', 'latest', imageRef, '--base', imageRef, '--insecure'])
    expect(check.stdout).toContain('api')
    await cli(['cache', 'inspect', '--run', 'latest', imageRef, '--base', imageRef, '--insecure', '--json'])
  }, 300_000)

  it('history push and pull: what reaches the shared registry and the index it fills', async () => {
    const host = new URL(historyReg.url).host
    await cli(['history', 'push', `${host}/team/history`, '--insecure'])
    await cli(['history', 'push', `${host}/team/history`, '--insecure', '--json'])
    await cli(['history', 'push', `https://ci:${URL_PASSWORD}@${host}/team/history`, '--insecure'], [0, 1, 2])
    const pulled = path.join(root, 'pulled', 'index.db')
    await cli(['history', 'pull', `${host}/team/history`, '--insecure', '--db', pulled])
    await cli(['runs', '--json', '--db', pulled])
    const found: string[] = []
    // (the run records are pushed gzipped: grep them unpacked too)
    for (const f of walk(historyReg.storageDir)) for (const h of plantedIn(unpacked(readFileSync(f)), PLANTED)) found.push(`registry ${path.relative(historyReg.storageDir, f)}: ${h}`)
    for (const f of [pulled, `${pulled}-wal`]) if (existsSync(f)) for (const h of plantedIn(readFileSync(f), PLANTED)) found.push(`${f}: ${h}`)
    expect(walk(historyReg.storageDir).some((f) => f.includes('team/history'))).toBe(true)
    expect(found).toEqual([])
  }, 300_000)

  it('not one planted value in the index, its WAL or any output', () => {
    const found: string[] = []
    for (const f of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(f)) for (const h of plantedIn(readFileSync(f), PLANTED)) found.push(`${path.basename(f)}: ${h}`)
    for (const o of outputs) for (const h of plantedIn(o.bytes, PLANTED)) found.push(`${o.what}: ${h}`)
    expect(outputs.length).toBeGreaterThan(30)
    expect(found).toEqual([])
  })
})

function walk(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = path.join(d, n)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}

/** The bytes, and their gunzipped form when they are gzip. */
function unpacked(bytes: Buffer): Buffer {
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? Buffer.concat([bytes, gunzipSync(bytes)]) : bytes
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

/** An image whose config labels and manifest annotations carry planted secrets, pushed over the distribution API. */
async function pushLabelledImage(url: string, repository: string, tag: string): Promise<string> {
  const layer = Buffer.alloc(1024) // an empty tar
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [sha256(layer)]},
    config: {Labels: {'org.opencontainers.image.source': ORIGIN, 'com.example.deploy-token': GH, NPM_TOKEN: NAMED}, Env: [`NPM_TOKEN=${NAMED}`, `GH=${GH}`]},
    history: [{created_by: `RUN echo ${AKIA} ${AWS_SECRET} && curl -H "Authorization: Bearer ${JWT}" ${ORIGIN}`}],
  }))
  for (const blob of [layer, config]) {
    const start = await request(`${url}/v2/${repository}/blobs/uploads/`, {method: 'POST'})
    await start.body.dump()
    const location = new URL(String(start.headers.location), url)
    location.searchParams.set('digest', sha256(blob))
    const put = await request(location, {method: 'PUT', body: blob, headers: {'content-type': 'application/octet-stream'}})
    expect(put.statusCode, await put.body.text()).toBe(201)
  }
  const manifest = {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length},
    layers: [{mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length}],
    annotations: {'org.opencontainers.image.source': ORIGIN, 'com.example.npm': NPM, 'com.example.pat': PAT},
  }
  const put = await request(`${url}/v2/${repository}/manifests/${tag}`, {method: 'PUT', body: JSON.stringify(manifest), headers: {'content-type': manifest.mediaType}})
  expect(put.statusCode, await put.body.text()).toBe(201)
  return `${new URL(url).host}/${repository}:${tag}`
}

/**
 * A copy of a real failed capture with secrets planted in the failed step: its name and error, its
 * log (every shape, a CI origin URL, and three tokens placed where the tail's limits cut them), and
 * buildx's plain-text error lines after the JSON.
 */
function plantCapture(source: string, target: string): string {
  mkdirSync(target)
  for (const f of readdirSync(source)) copyFileSync(path.join(source, f), path.join(target, f))
  const file = path.join(target, 'rawjson.json')
  let events = readFileSync(file, 'utf8')
  const failed = /"vertexes":\[\{"digest":"(sha256:[0-9a-f]{64})"[^\n]*"error":/.exec(events)![1]!
  const step = `RUN git clone ${ORIGIN} && npm ci --token ${NPM} && echo ${AKIA} ${AWS_SECRET} ${PAT}`
  events = events.replaceAll('RUN cat api/*.txt lib.txt missing.txt', step.replaceAll('"', '\\"'))
  const log = (data: Buffer) => JSON.stringify({logs: [{vertex: failed, stream: 2, data: data.toString('base64'), timestamp: '2026-11-23T14:07:57.8Z'}]})
  // (1) a chunk larger than the log window: the window keeps its last 64 KiB + 2 bytes, the last 16 characters of CUT_HEAD on
  const keep = 65_538
  const after = ` cut here\n`.padStart(keep - 16, 'z')
  let before = 'y'.repeat(3000)
  while ((before.length + CUT_HEAD.length + after.length) % 3 !== 0) before += 'y'
  const big = Buffer.from(before + CUT_HEAD + after)
  // (2) a line with no end yet, over 2,000 characters: the tail keeps its last 2,000, which start 16 characters into CUT_PARTIAL
  const partial = Buffer.from('x'.repeat(100) + CUT_PARTIAL + ' cut here'.padEnd(2000 - CUT_PARTIAL.length + 16, 'w'))
  // (3) a line over 500 characters: cut at 500, 20 characters into CUT_END
  const long = Buffer.from('v'.repeat(480) + CUT_END + ' and more\n')
  const lines = [
    `Cloning into 'shop'... fatal: could not read from ${ORIGIN}`,
    `npm ERR! 401 Unauthorized: token ${NPM} (NPM_TOKEN=${NAMED})`,
    `aws: using ${AKIA} / ${AWS_SECRET}`,
    `curl -H 'Authorization: Bearer ${JWT}' https://api.example.com`,
    `GITHUB_TOKEN ${GH} PAT ${PAT}`,
    PEM,
    `push to https://robot:${URL_PASSWORD}@registry.example.com/v2/ failed`,
  ].join('\n') + '\n'
  const at = events.indexOf(`{"vertexes":[{"digest":"${failed}"`, events.indexOf(`"vertex":"${failed}"`))
  events = events.slice(0, at) + [log(big), log(Buffer.from(lines)), log(long), log(partial)].join('\n') + '\n' + events.slice(at)
  events = events.replace('did not complete successfully: exit code: 1"', `did not complete successfully: exit code: 1: fetch ${ORIGIN} with ${GH}"`)
  events += `error: failed to solve: failed to fetch remote ${ORIGIN}: ${PAT}\nERROR: failed to push https://robot:${URL_PASSWORD}@registry.example.com/app: ${JWT}\n`
  writeFileSync(file, events)
  return target
}
