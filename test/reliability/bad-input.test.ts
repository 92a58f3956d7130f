/**
 * The bad-input catalogue, through the real CLI (`node bin/run.js`, compiled dist/: `npm run build`
 * first). Every case: exit code 2, a message naming the file, the position (`file:line`,
 * `file@offset` or `file!entry`) and a `Fix:` line, and the index left byte-for-byte unchanged
 * (the db file and its -wal).
 *
 * Related, not repeated here: test/cli/ingest-runs-show.test.ts (empty file and a short binary
 * file through `ingest FILE`, --format engine on rawjson, trailing garbage counted as skipped),
 * test/reliability/index-faults.test.ts (corrupt index, newer schema).
 */
import {copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'
import tar from 'tar-stream'
import {beforeAll, describe, expect, it} from 'vitest'
import {PROJECT_ROOT, runCli, type CliResult} from '../helpers/cli.js'
import {capture} from '../helpers/fixtures.js'
import {expectInputError, expectUnchanged, snapshot, writeBig, type IndexSnapshot} from '../helpers/input-error.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-bad-'))
const DOCKERBUILD = path.join(PROJECT_ROOT, 'test/fixtures/dockerbuild/docker~test-docker-action~COIO50.dockerbuild')
const PLAIN = path.join(PROJECT_ROOT, 'test/fixtures/engine-20.10/cli-session-run1.plain.txt')

/** A directory with an index that already holds one run (so "unchanged" means something). */
async function withIndex(): Promise<{dir: string; db: string; before: IndexSnapshot}> {
  const dir = tmp()
  const db = path.join(dir, 'index.db')
  const first = await runCli(['ingest', capture('r1-cold'), '--db', db, '--no-git'])
  expect(first.exitCode, first.stderr).toBe(0)
  return {dir, db, before: snapshot(db)}
}

/** Runs the CLI and samples the child's peak RSS (VmHWM) from /proc while it runs. */
async function runMeasured(args: string[]): Promise<CliResult & {peakKb: number}> {
  const res = await runCli(args, {measurePeakRss: true, timeoutMs: 120_000})
  return {...res, peakKb: res.peakKb ?? 0}
}

/** Repacks a .dockerbuild bundle, dropping entries or adding raw ones. */
async function repack(source: string, options: {drop?: (name: string, body: Buffer) => boolean}): Promise<Buffer> {
  const extract = tar.extract()
  const entries: Array<{name: string; body: Buffer; type: string}> = []
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const parts: Buffer[] = []
      stream.on('data', (b: unknown) => void parts.push(b as Buffer))
      stream.on('end', () => {
        entries.push({name: header.name, body: Buffer.concat(parts), type: header.type ?? 'file'})
        next()
      })
    })
    extract.on('finish', resolve)
    extract.on('error', reject)
  })
  extract.end(gunzipSync(readFileSync(source)))
  await done
  const pack = tar.pack()
  for (const e of entries) {
    if (e.type !== 'file' || options.drop?.(e.name, e.body)) continue
    pack.entry({name: e.name, size: e.body.length}, e.body)
  }
  pack.finalize()
  const chunks: Buffer[] = []
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c)
  return gzipSync(Buffer.concat(chunks))
}

/** A ustar header for one regular file that claims `size` bytes (the data need not follow). */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512, 0)
  h.write(name, 0, 100, 'utf8')
  h.write('0000644\0', 100)
  h.write('0000000\0', 108)
  h.write('0000000\0', 116)
  h.write(size.toString(8).padStart(11, '0') + '\0', 124)
  h.write('00000000000\0', 136)
  h.write('        ', 148) // checksum placeholder
  h.write('0', 156)
  h.write('ustar\0', 257)
  h.write('00', 263)
  let sum = 0
  for (const b of h) sum += b
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
  return h
}

describe('bad input through `bakedoctor ingest`: exit 2, file + position + fix, index unchanged', () => {
  let ctx: Awaited<ReturnType<typeof withIndex>>
  beforeAll(async () => {
    ctx = await withIndex()
  })

  const ingest = (file: string, ...more: string[]) => runCli(['ingest', file, '--db', ctx.db, '--no-git', ...more])

  it('empty input on stdin', async () => {
    const res = await runCli(['ingest', '-', '--db', ctx.db, '--no-git'], {input: ''})
    expectInputError(res, '-', /the input is empty/)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('binary garbage (random bytes, no newline)', async () => {
    const file = path.join(ctx.dir, 'garbage.bin')
    const bytes = Buffer.alloc(256 * 1024)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24
    writeFileSync(file, bytes)
    expectInputError(await ingest(file), file, /not a recognised build event stream/)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('invalid UTF-8 (overlong, lone surrogate, stray continuation bytes)', async () => {
    const file = path.join(ctx.dir, 'invalid-utf8.txt')
    writeFileSync(file, Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x80, 0x0a, 0xc3, 0x28, 0x0a]))
    expectInputError(await ingest(file), file, /not a recognised build event stream/)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('a rawjson stream whose every line is invalid UTF-8 JSON is "no build events found"', async () => {
    const file = path.join(ctx.dir, 'rawjson-invalid-utf8.json')
    const bad = Buffer.concat([Buffer.from('{"vertexes":[{"digest":"sha256:'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\n')])
    writeFileSync(file, Buffer.concat([bad, bad, bad]))
    expectInputError(await ingest(file), file, /no build events found/)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('every line skipped (detected as rawjson, nothing decodable) is "no build events found", not an empty run', async () => {
    const file = path.join(ctx.dir, 'all-skipped.json')
    writeFileSync(file, '{"vertexes":[{"digest":"sha256:a","name":\n{"statuses":\nnot json at all\n{"vertexes":[{"digest":\n')
    expectInputError(await ingest(file), file, /no build events found: every line was skipped/)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('a real capture decoded with the wrong --format plain is "no build events found"', async () => {
    expectInputError(await ingest(capture('r1-cold'), '--format', 'plain'), capture('r1-cold'), /no build events found/)
    expectUnchanged(ctx.db, ctx.before)
  })

  it.each([
    ['rawjson', PLAIN, /--format rawjson was given, but the input looks like plain/],
    ['dockerbuild', capture('r1-cold'), /--format dockerbuild was given, but the input looks like rawjson/],
    ['engine', DOCKERBUILD, /--format engine was given, but the input looks like dockerbuild/],
  ])('the wrong --format %s for the content', async (format, file, message) => {
    expectInputError(await ingest(file, '--format', format), file, message)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('a .dockerbuild without its status blob names the missing archive entry', async () => {
    const file = path.join(ctx.dir, 'no-status.dockerbuild')
    // the status blob is the one binary (non-JSON) blob
    writeFileSync(file, await repack(DOCKERBUILD, {drop: (name, body) => name.startsWith('blobs/') && !/^\s*[{[]/.test(body.toString('latin1', 0, 16))}))
    const res = await ingest(file)
    expectInputError(res, file, /the \.dockerbuild bundle is incomplete: status blob blobs\/sha256\/[0-9a-f]{64} .* is missing/, /!blobs\/sha256\/[0-9a-f]{64}: /)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('a .dockerbuild without index.json', async () => {
    const file = path.join(ctx.dir, 'no-index.dockerbuild')
    writeFileSync(file, await repack(DOCKERBUILD, {drop: (name) => name === 'index.json'}))
    expectInputError(await ingest(file), file, /not a \.dockerbuild bundle: the archive has no index\.json/, /!index\.json: /)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('a truncated .dockerbuild (gzip cut in half)', async () => {
    const file = path.join(ctx.dir, 'cut.dockerbuild')
    const gz = readFileSync(DOCKERBUILD)
    writeFileSync(file, gz.subarray(0, gz.length >> 1))
    expectInputError(await ingest(file), file, /cannot read the \.dockerbuild archive \(gzip\)/, /@\d+: /)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('a gzip bomb (64 MiB of zeros in ~64 KiB) is refused by the expansion-ratio limit', async () => {
    const file = path.join(ctx.dir, 'bomb.dockerbuild')
    writeFileSync(file, gzipSync(Buffer.alloc(64 * 1024 * 1024), {level: 9}))
    const res = await runMeasured(['ingest', file, '--db', ctx.db, '--no-git'])
    expectInputError(res, file, /looks like a decompression bomb/, /@\d+: /)
    expect(res.peakKb, 'the bomb was expanded in memory').toBeLessThan(250 * 1024)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('a tar bomb (an entry claiming 300 MiB) is refused by the entry size limit before reading it', async () => {
    const file = path.join(ctx.dir, 'tar-bomb.dockerbuild')
    writeFileSync(file, gzipSync(Buffer.concat([tarHeader('blobs/sha256/' + 'a'.repeat(64), 300 * 1024 * 1024), Buffer.alloc(4096)])))
    expectInputError(await ingest(file), file, /archive entry blobs\/sha256\/a{64} is 300 MiB, more than the 256 MiB limit/, /!blobs\/sha256\/a{64}: /)
    expectUnchanged(ctx.db, ctx.before)
  })

  it('a single line of 100 MB: bounded memory (peak RSS well under the line size), "no build events found"', async () => {
    const file = path.join(ctx.dir, 'huge-line.json')
    await writeBig(file, '{"logs":[{"vertex":"sha256:aaaa","stream":1,"data":"', 100 * 1024 * 1024, '"}]}\n')
    const res = await runMeasured(['ingest', file, '--db', ctx.db, '--no-git'])
    expectInputError(res, file, /no build events found/)
    expect(res.peakKb, `peak RSS ${res.peakKb} kB`).toBeGreaterThan(0)
    expect(res.peakKb, `peak RSS ${res.peakKb} kB`).toBeLessThan(250 * 1024)
    expectUnchanged(ctx.db, ctx.before)
  }, 120_000)

  it('a 100 MB line inside a real capture is skipped and counted; the build is recorded; memory stays bounded', async () => {
    const dir = tmp()
    const db = path.join(dir, 'i.db')
    const file = path.join(dir, 'capture-with-huge-line.json')
    const text = readFileSync(capture('r1-cold'), 'utf8').split('\n')
    const half = text.length >> 1
    await writeBig(file, text.slice(0, half).join('\n') + '\n{"logs":[{"vertex":"sha256:aaaa","stream":1,"data":"', 100 * 1024 * 1024, '"}]}\n' + text.slice(half).join('\n'))
    const res = await runMeasured(['ingest', file, '--db', db, '--no-git', '--json'])
    expect(res.exitCode, res.stderr).toBe(0)
    expect((res.json as {skippedLines: number}).skippedLines).toBeGreaterThanOrEqual(1)
    expect((res.json as {run: {cacheable: number}}).run.cacheable).toBe(18)
    expect(res.peakKb, `peak RSS ${res.peakKb} kB`).toBeLessThan(250 * 1024)
  }, 120_000)

  it('a metadata file that is not JSON names the metadata file; nothing is stored', async () => {
    const meta = path.join(ctx.dir, 'meta.json')
    writeFileSync(meta, '{"containerimage.digest": ')
    const res = await ingest(capture('r2-warm-remote'), '--metadata', meta)
    expect(res.exitCode, res.stderr).toBe(2)
    expect(res.stderr).toContain(meta)
    expect(res.stderr).toMatch(/Fix: /)
    expectUnchanged(ctx.db, ctx.before)
  })
})

describe('bad bake files through `bakedoctor plan` (built-in resolver): exit 2, file:line and fix', () => {
  const plan = (dir: string, file: string, target = 'app') => runCli(['plan', target, '-f', file, '--source', 'builtin', '--db', path.join(dir, 'i.db')], {cwd: dir})

  it('a variable cycle names both the file and the line, and says how to break it', async () => {
    const dir = tmp()
    copyFileSync(path.join(PROJECT_ROOT, 'test/fixtures/bake-own/11-error-variable-cycle/docker-bake.hcl'), path.join(dir, 'docker-bake.hcl'))
    const res = await plan(dir, 'docker-bake.hcl')
    expectInputError(res, 'docker-bake.hcl', /variable cycle not allowed for/, /:\d+: /)
    expect(res.stderr).toMatch(/Fix: break the cycle/)
    expect(existsSync(path.join(dir, 'i.db'))).toBe(false)
  })

  it('an unknown function names the function, the file and the line', async () => {
    const dir = tmp()
    copyFileSync(path.join(PROJECT_ROOT, 'test/fixtures/bake-own/13-error-function-unknown/docker-bake.hcl'), path.join(dir, 'docker-bake.hcl'))
    const res = await plan(dir, 'docker-bake.hcl')
    expectInputError(res, 'docker-bake.hcl', /There is no function named "nosuchfn"/, /:2: /)
    expect(res.stderr).toMatch(/Fix: use a function bake supports/)
  })

  it('a matrix that would expand to millions of targets is refused (bounded memory), naming the line', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'docker-bake.hcl'), 'target "app" {\n  matrix = {\n    a = range(5000)\n    b = range(5000)\n  }\n  name = "app-${a}-${b}"\n}\n')
    const res = await plan(dir, 'docker-bake.hcl', 'default')
    expectInputError(res, 'docker-bake.hcl', /matrix": expands to more than 1000 targets/, /:\d+: /)
  })

  it('range() with an absurd count fails at once instead of allocating', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'docker-bake.hcl'), 'target "app" {\n  tags = [for x in range(1e15) : "t${x}"]\n}\n')
    const res = await plan(dir, 'docker-bake.hcl')
    expectInputError(res, 'docker-bake.hcl', /more than 1048576 values/, /:2: /)
  })

  it('1000 nested parentheses in HCL: an input error with the line, not a stack overflow in the parser', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'docker-bake.hcl'), `target "app" {\n  args = { X = ${'('.repeat(1000)}1${')'.repeat(1000)} }\n}\n`)
    const res = await plan(dir, 'docker-bake.hcl')
    expectInputError(res, 'docker-bake.hcl', /brackets nest deeper than 256 levels/, /:2: /)
  })

  it('1000 nested parentheses in a JSON bake file\'s template: an input error, not "Maximum call stack size exceeded"', async () => {
    const dir = tmp()
    const expr = '${' + '('.repeat(1000) + '1' + ')'.repeat(1000) + '}'
    writeFileSync(path.join(dir, 'docker-bake.json'), JSON.stringify({target: {app: {args: {X: expr}}}}, null, 1))
    const res = await plan(dir, 'docker-bake.json')
    expect(res.exitCode, res.stderr).toBe(2)
    expect(res.stderr).toMatch(/docker-bake\.json(:\d+)?: .*expression nests deeper than 256 levels/)
    expect(res.stderr).not.toMatch(/Maximum call stack/)
  })

  it('HCL that does not parse names file and line', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'docker-bake.hcl'), 'target "app" {\n  tags = ["a"\n}\n')
    const res = await plan(dir, 'docker-bake.hcl')
    expect(res.exitCode, res.stderr).toBe(2)
    expect(res.stderr).toMatch(/docker-bake\.hcl:\d+: /)
  })
})
