/**
 * Issue #13 "Must show": a planted-secrets corpus pushed through every way data enters bakedoctor
 * and every way it leaves, then every byte that was written grepped for every planted value.
 *
 * In: `build --driver engine` against the real engine (bake file with secret-named args,
 * token-shaped values under innocent names, a PEM key, a URL with credentials, a long random value,
 * token-shaped labels; a Dockerfile with an AWS key pair and `NPM_TOKEN=<value>` written in a step;
 * a failing build whose engine error quotes them), and `ingest` of a rawjson stream with its
 * metadata file, an Engine /build stream, a `.dockerbuild` bundle and a plain log (none of these
 * with `--metadata`), each with a token as `--label`. The inputs are copies of the project's
 * captures with the secrets planted by this test (random values, made fresh per run).
 * Out: plan, plan diff, diff, explain, gate, runs, show in text, --json, markdown and JUnit, and the
 * files gate writes (--output, --summary-file).
 * Checked: the index file, its -wal and -shm, every stdout, stderr and written file: no planted
 * value in any form (plain, base64, hex, URL-encoded, JSON-escaped). And the redaction keeps
 * "changed / unchanged": the bake file and the plan `build` stored compare identical; a changed
 * secret shows as changed, an unchanged one does not.
 */
import {execFileSync} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {BinaryWriter, WireType} from '@bufbuild/protobuf/wire'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {runCli, PROJECT_ROOT, type CliResult} from '../helpers/cli.js'
import {describeEngine} from '../helpers/engine.js'
import {ENGINE_STREAM} from '../helpers/fake-engine.js'
import {capture, FIXTURES} from '../helpers/fixtures.js'
import {importBase, removeImage} from './helpers.js'
import {plant, plantedIn, random} from '../helpers/planted-secrets.js'

// the corpus: every value below is planted somewhere, and must be found nowhere
const NAMED = `horse-battery-${random(8)}` // recognised by its name only (NPM_TOKEN)
const NAMED_2 = `staple-correct-${random(8)}` // the changed NPM_TOKEN of the second build
const NAMED_LITERAL = `literal-${random(10)}` // `NPM_TOKEN=<value>` written in a Dockerfile step / a log
const GH = plant.github() // token-shaped under the innocent name GH
const GH_2 = plant.github()
const GHO = plant.github('gho') // labels
const NPM = plant.npm()
const AKIA = plant.awsKeyId()
const AWS_SECRET = plant.awsSecret()
const JWT = plant.jwt()
const {text: PEM, lines: PEM_LINES} = plant.pem()
const URL_PASSWORD = `pw${random(14)}`
const REPO_URL = `https://deploy:${URL_PASSWORD}@git.example.com/org/repo.git`
const SEED = random(32) // a long random build-arg value under an innocent name
const PLANTED = {NAMED, NAMED_2, NAMED_LITERAL, GH, GH_2, GHO, NPM, AKIA, AWS_SECRET, JWT, PEM_0: PEM_LINES[0]!, PEM_1: PEM_LINES[1]!, PEM_2: PEM_LINES[2]!, URL_PASSWORD, SEED}

/** `where` → the planted values found in it (by name). */
const hits = (bytes: Buffer): string[] => plantedIn(bytes, PLANTED)

describeEngine('planted secrets: build, ingest and every presenter (real engine)', () => {
  const id = randomBytes(4).toString('hex')
  const base = `bakedoctor-test/busybox:secrets-${id}`
  let root: string
  let dir: string
  let db: string
  /** every output and written file, for the final grep */
  const outputs: Array<{what: string; bytes: Buffer}> = []

  const cli = async (args: string[], expectCodes: number[] = [0]): Promise<CliResult> => {
    const res = await runCli([...args, '--db', db], {cwd: dir, timeoutMs: 180_000})
    outputs.push({what: `${args.join(' ')} stdout`, bytes: Buffer.from(res.stdout)}, {what: `${args.join(' ')} stderr`, bytes: Buffer.from(res.stderr)})
    expect(expectCodes, `${args.join(' ')} exited ${res.exitCode}: ${res.stderr.slice(0, 2000)}`).toContain(res.exitCode)
    return res
  }
  const written = (file: string): void => {
    outputs.push({what: path.basename(file), bytes: readFileSync(file)})
  }

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-secrets-'))
    dir = path.join(root, 'project')
    mkdirSync(dir)
    db = path.join(root, 'idx', 'index.db')
    await importBase(base, `secrets ${id}`)
    writeFileSync(
      path.join(dir, 'docker-bake.hcl'),
      `group "default" {
  targets = ["app"]
}
target "app" {
  context = "."
  args = {
    BASE = "${base}"
    NPM_TOKEN = "${NAMED}"
    GH = "${GH}"
    NPM = "${NPM}"
    SEED = "${SEED}"
    REPO_URL = "${REPO_URL}"
    BLOB = "${PEM.replaceAll('\n', '\\n')}"
    JWT = "${JWT}"
    VERSION = "1.0"
  }
  labels = {
    "com.example.token" = "${GHO}"
    "org.opencontainers.image.authors" = "team@example.com"
  }
}
`,
    )
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      `ARG BASE
FROM \${BASE}
ARG NPM_TOKEN
ARG GH
ARG NPM
ARG SEED
ARG REPO_URL
ARG BLOB
ARG JWT
ARG VERSION
ARG FAIL=0
RUN echo "fetch $REPO_URL gh=$GH npm=$NPM seed=$SEED jwt=$JWT version=$VERSION" && echo "NPM_TOKEN=$NPM_TOKEN" && printf '%s\\n' "$BLOB"
RUN echo ${AKIA} ${AWS_SECRET} && NPM_TOKEN=${NAMED_LITERAL} sh -c 'test "$FAIL" != 1'
`,
    )
  }, 120_000)

  afterAll(async () => {
    removeImage(base)
    if (root) await rm(root, {recursive: true, force: true})
  })

  it('build (engine): the args reach the engine, not the index nor the output', async () => {
    const first = await cli(['build', 'app', '--driver', 'engine', '--json'])
    expect((first.json as {runs: Array<{id: string; status: string}>}).runs[0]).toMatchObject({id: 'r1', status: 'completed'})
    await cli(['build', 'app', '--driver', 'engine', '--set', `app.args.NPM_TOKEN=${NAMED_2}`, '--set', `app.args.GH=${GH_2}`])
    // the third build fails in the step that carries the AWS key pair; the engine's error quotes it
    const failed = await cli(['build', 'app', '--driver', 'engine', '--set', 'app.args.FAIL=1'], [1])
    expect(failed.stdout + failed.stderr).toMatch(/did not complete successfully|exit code/)
  }, 600_000)

  it('plan and plan diff: secrets hashed, and the hash still tells changed from unchanged', async () => {
    await cli(['plan'])
    const plan = await cli(['plan', '--json'])
    const args = (plan.json as {plan: {target: {app: {args: Record<string, string>; labels: Record<string, string>}}}}).plan.target.app.args
    for (const name of ['NPM_TOKEN', 'GH', 'NPM', 'SEED', 'REPO_URL', 'BLOB', 'JWT']) expect(args[name], name).toMatch(/^secret:[0-9a-f]{16}$/)
    expect(args.VERSION).toBe('1.0')
    expect(args.BASE).toBe(base)

    // the bake file on disk and the plan r1 recorded compare identical: same salt, same markers
    const same = await cli(['plan', 'diff', 'docker-bake.hcl', 'r1', '--json'])
    expect((same.json as {diff: {same: boolean}}).diff.same).toBe(true)
    await cli(['plan', 'diff', 'docker-bake.hcl', 'r1'])

    // r1 → r2 changed NPM_TOKEN and GH, nothing else
    const changed = await cli(['plan', 'diff', 'r1', 'r2', '--json'])
    const attrs = (changed.json as {diff: {targets: Array<{attributes: Array<{attribute: string; kind: string}>}>}}).diff.targets.flatMap((t) => t.attributes)
    expect(attrs.map((a) => a.attribute).sort()).toEqual(['args.GH', 'args.NPM_TOKEN'])
    const text = await cli(['plan', 'diff', 'r1', 'r2'])
    expect(text.stdout).toMatch(/args\.GH: secret:[0-9a-f]{16} → secret:[0-9a-f]{16}/)
  }, 600_000)

  it('ingest: rawjson with its metadata file, an Engine stream, a .dockerbuild and a plain log, with a token label', async () => {
    const inputs = path.join(root, 'inputs')
    mkdirSync(inputs)

    // rawjson + metadata: secrets in the metadata build args, in a step name and in a step's log
    const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'buildkit-0.11-rawjson', 'r3-code-change', 'metadata.json'), 'utf8'))
    for (const p of ['linux/amd64', 'linux/arm64']) {
      Object.assign(meta[`containerimage.buildinfo/${p}`].attrs, {'build-arg:NPM_TOKEN': NAMED, 'build-arg:GREETING': GH, 'build-arg:SEED': SEED, 'build-arg:AWS_ID': AKIA})
    }
    writeFileSync(path.join(inputs, 'meta.json'), JSON.stringify(meta))
    let events = readFileSync(capture('r3-code-change'), 'utf8').replaceAll('echo \\"env=production\\"', `echo \\"token=${NAMED} greeting=${GH} ${AKIA}\\"`)
    expect(events).toContain(GH)
    const digest = /"digest":"(sha256:[0-9a-f]{64})","inputs":\[[^\]]*\],"name":"\[linux\/amd64 [^"]*RUN/.exec(events)![1]
    const log = Buffer.from(`seed ${SEED}\nNPM_TOKEN=${NAMED_LITERAL}\n${PEM}\n`).toString('base64')
    events += `\n{"logs":[{"vertex":"${digest}","stream":2,"data":"${log}","timestamp":"2024-05-01T10:00:00.5Z"}]}\n`
    writeFileSync(path.join(inputs, 'events.rawjson'), events)
    await cli(['ingest', path.join(inputs, 'events.rawjson'), '--target', 'api', '--metadata', path.join(inputs, 'meta.json'), '--label', `ci=${GHO}`, '--no-git'])

    // Engine /build stream: one more vertex whose name and log carry secrets, then the daemon's error
    const planted = plantedStatus('sha256:' + 'e'.repeat(64))
    const lines = readFileSync(ENGINE_STREAM, 'utf8').split(/\r?\n/).filter(Boolean)
    const extra = [JSON.stringify({id: 'moby.buildkit.trace', aux: Buffer.from(planted).toString('base64')}), JSON.stringify({errorDetail: {message: `npm ERR! 401 token ${NPM} at ${REPO_URL}`}, error: `npm ERR! 401 token ${NPM}`})]
    writeFileSync(path.join(inputs, 'engine.jsonl'), [...lines.slice(0, -2), ...extra].join('\r\n') + '\r\n')
    await cli(['ingest', path.join(inputs, 'engine.jsonl'), '--label', `ci=${GHO}`, '--no-git', '--json'])

    // .dockerbuild: the same planted frame appended to the record's status blob, secrets in its attrs
    writeFileSync(path.join(inputs, 'corpus.dockerbuild'), plantDockerbuild(path.join(PROJECT_ROOT, 'test/fixtures/dockerbuild/docker~test-docker-action~COIO50.dockerbuild'), root))
    await cli(['ingest', path.join(inputs, 'corpus.dockerbuild'), '--label', `ci=${GHO}`, '--no-git'])

    // plain log: secrets in a step name and its output, no --metadata
    const plain = readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/engine-20.10/cli-session-run1.plain.txt'), 'utf8')
      .replace('RUN echo "base hello"', `RUN echo "base hello" ${AKIA} ${AWS_SECRET} NPM_TOKEN=${NAMED_LITERAL}`)
      .replace('#5 0.070 base hello', [`#5 0.070 ${JWT}`, `#5 0.071 cloning ${REPO_URL}`, `#5 0.072 export NPM_TOKEN=${NAMED_LITERAL}`, ...PEM.split('\n').map((l) => `#5 0.073 ${l}`)].join('\n'))
    expect(plain).toContain(AKIA)
    writeFileSync(path.join(inputs, 'build.plain.txt'), plain)
    await cli(['ingest', path.join(inputs, 'build.plain.txt'), '--label', `ci=${GHO}`, '--no-git'])

    const runs = await cli(['runs', '--json'])
    const labels = (runs.json as {runs: Array<{labels: Record<string, string>}>}).runs.map((r) => r.labels.ci).filter(Boolean)
    expect(labels).toHaveLength(4)
    for (const l of labels) expect(l).toMatch(/^secret:[0-9a-f]{16}$/)
    // the step that carried the AWS key pair is there, its name redacted
    const show = await cli(['show', 'latest', '--json'])
    expect(JSON.stringify(show.json)).toMatch(/base hello\\?"? secret:[0-9a-f]{16} secret:[0-9a-f]{16} NPM_TOKEN=secret:[0-9a-f]{16}/)
  }, 600_000)

  it('diff, explain, gate, runs and show in every format, and the files gate writes', async () => {
    const files = path.join(root, 'out')
    mkdirSync(files)
    // every --format a command offers (from the oclif manifest: a format added later is covered too)
    const formats = (command: string): string[] => {
      const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'oclif.manifest.json'), 'utf8'))
      const options = manifest.commands[command]?.flags?.format?.options as string[] | undefined
      expect(options, `${command} --format`).toBeDefined()
      return options!
    }
    expect(formats('gate')).toEqual(expect.arrayContaining(['text', 'json', 'markdown', 'junit']))
    expect(formats('explain')).toEqual(expect.arrayContaining(['text', 'markdown']))
    for (const args of [
      ['diff', 'r1', 'r2', '--json'], ['diff', 'r2', 'r3', '--no-tui'],
      ['explain', 'r2', '--against', 'r1', '--json', '--all'], ['explain', 'r3', '--against', 'r1', '--no-tui', '--all'], ['explain', 'r3', '--against', 'r1', '--json'],
      ...formats('diff').map((f) => ['diff', 'r1', 'r2', '--no-tui', '--format', f]),
      ...formats('explain').map((f) => ['explain', 'r2', '--against', 'r1', '--no-tui', '--all', '--format', f]),
      ['runs'], ['runs', '--json'], ['show', 'r1'], ['show', 'r3', '--json'], ['show', 'r3', '--internal'],
    ]) await cli(args)
    for (const format of formats('gate')) {
      const output = path.join(files, `gate.${format}`)
      const summary = path.join(files, `summary-${format}.md`)
      await cli(['gate', '--run', 'r2', '--min-hit-rate', '0', '--format', format, '--output', output, '--summary-file', summary])
      written(output)
      written(summary)
      // a failing gate (r3 failed) reports the failed step
      const failing = path.join(files, `gate-failed.${format}`)
      await cli(['gate', '--run', 'r3', '--min-hit-rate', '99', '--format', format, '--output', failing], [1])
      written(failing)
    }
    await cli(['gate', '--run', 'r2', '--min-hit-rate', '0', '--json'])
    expect(readdirSync(files)).toHaveLength(3 * formats('gate').length)
  }, 600_000)

  it('not one planted value in the index, its WAL, any output or any written file', () => {
    const found: string[] = []
    for (const f of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(f)) for (const h of hits(readFileSync(f))) found.push(`${path.basename(f)}: ${h}`)
    expect(existsSync(db)).toBe(true)
    // the runs are there: 3 builds and 4 ingests
    const count = execFileSync('node', ['-e', `const D=require('better-sqlite3');console.log(new D(process.argv[1],{readonly:true}).prepare('select count(*) n from runs').get().n)`, db], {cwd: PROJECT_ROOT}).toString().trim()
    expect(count).toBe('7')
    for (const o of outputs) for (const h of hits(o.bytes)) found.push(`${o.what}: ${h}`)
    expect(outputs.length).toBeGreaterThan(60)
    expect(found).toEqual([])
  }, 600_000)
})

/** A StatusResponse with one vertex whose name, error and log carry planted secrets. */
function plantedStatus(digest: string): Uint8Array {
  const w = new BinaryWriter()
  const ts = (field: number, seconds: number) => w.tag(field, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(seconds).join()
  w.tag(1, WireType.LengthDelimited).fork()
  w.tag(1, WireType.LengthDelimited).string(digest)
  w.tag(3, WireType.LengthDelimited).string(`[2/2] RUN echo ${AKIA} ${AWS_SECRET} && NPM_TOKEN=${NAMED_LITERAL} npm ci --token ${JWT}`)
  ts(5, 1_714_557_600)
  ts(6, 1_714_557_601)
  w.tag(7, WireType.LengthDelimited).string(`process "/bin/sh -c echo ${AKIA}" did not complete: fetch ${REPO_URL}`)
  w.join()
  w.tag(3, WireType.LengthDelimited).fork()
  w.tag(1, WireType.LengthDelimited).string(digest)
  ts(2, 1_714_557_600)
  w.tag(3, WireType.Varint).int64(1)
  w.tag(4, WireType.LengthDelimited).bytes(Buffer.from(`using ${GH}\nNPM_TOKEN=${NAMED_LITERAL}\n${PEM}\n`))
  w.join()
  return w.finish()
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

/**
 * A copy of a `.dockerbuild` bundle with a planted status frame appended to its status blob and
 * secret build args in its record's frontend attrs; digests and sizes fixed up along the chain
 * (status blob, record config → manifest → index.json).
 */
function plantDockerbuild(source: string, work: string): Buffer {
  const dir = path.join(work, 'dockerbuild')
  mkdirSync(dir)
  execFileSync('tar', ['-xzf', source, '-C', dir])
  const blob = (digest: string) => path.join(dir, 'blobs', 'sha256', digest.replace('sha256:', ''))
  const put = (bytes: Buffer): {digest: string; size: number} => {
    const digest = `sha256:${sha256(bytes)}`
    writeFileSync(blob(digest), bytes)
    return {digest, size: bytes.length}
  }
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'))
  const manifestDesc = index.manifests[0]
  const manifest = JSON.parse(readFileSync(blob(manifestDesc.digest), 'utf8'))
  const frame = Buffer.from(plantedStatus('sha256:' + 'f'.repeat(64)))
  const length = Buffer.alloc(4)
  length.writeUInt32LE(frame.length)
  const status = manifest.layers.find((l: {mediaType: string}) => l.mediaType === 'application/vnd.buildkit.status.v0')
  Object.assign(status, put(Buffer.concat([readFileSync(blob(status.digest)), length, frame])))
  const record = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8'))
  Object.assign(record.FrontendAttrs, {'build-arg:NPM_TOKEN': NAMED, 'build-arg:GH': GH, 'build-arg:SEED': SEED})
  // the record may point at its status blob itself
  if (record.Logs?.Digest || record.logs?.digest) {
    const logs = record.Logs ?? record.logs
    if ('Digest' in logs) Object.assign(logs, {Digest: status.digest, Size: status.size})
    else Object.assign(logs, {digest: status.digest, size: status.size})
  }
  Object.assign(manifest.config, put(Buffer.from(JSON.stringify(record))))
  Object.assign(manifestDesc, put(Buffer.from(JSON.stringify(manifest))))
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index))
  return execFileSync('tar', ['-czf', '-', '-C', dir, '.'], {maxBuffer: 64 * 1024 * 1024})
}
