/**
 * The index file itself in a bad state — empty, damaged pages, read-only, the disk full while it is
 * created — through the real CLI: exit 2, what happened and what to do; nothing half-created left.
 * Also: inputs that fail must not create `.bakedoctor/`, and existing index files are tightened.
 */
import {spawn} from 'node:child_process'
import {chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, statSync, writeFileSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {BIN, runCli, type CliResult} from '../helpers/cli.js'
import {capture} from '../helpers/fixtures.js'

const tmp = () => mkdtempSync(path.join(tmpdir(), 'bd-idx-'))
const isRoot = process.getuid?.() === 0

/** exit 2, a sentence naming the index, a Fix line, no stack trace */
function expectIndexFault(res: CliResult, db: string, what: RegExp, fix: RegExp): void {
  expect(res.exitCode, res.stderr).toBe(2)
  expect(res.stderr).toContain(db)
  expect(res.stderr).toMatch(what)
  expect(res.stderr).toMatch(fix)
  expect(res.stderr).not.toMatch(/\n\s+at /)
}

async function ingestInto(db: string, run = 'r1-cold'): Promise<void> {
  const res = await runCli(['ingest', capture(run), '--db', db, '--no-git'])
  expect(res.exitCode, res.stderr).toBe(0)
}

/** the CLI as another user (`nobody`), with a shell prefix (ulimit, trap) */
function runAs(args: string[], options: {cwd: string; uid?: number; shell?: string}): Promise<CliResult> {
  const command = `${options.shell ?? ''} exec "${process.execPath}" "${BIN}" ${args.map((a) => `'${a}'`).join(' ')}`
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd, ...(options.uid !== undefined ? {uid: options.uid, gid: options.uid} : {}),
      env: {PATH: process.env.PATH, HOME: options.cwd, NO_COLOR: '1'},
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b) => (stdout += b))
    child.stderr.on('data', (b) => (stderr += b))
    child.on('close', (code) => resolve({stdout, stderr, exitCode: code ?? 137}))
  })
}

describe('index storage faults: exit 2 with what happened and what to do', () => {
  it('a 0-byte index: reading commands say it is empty (not "no such table", exit 1)', async () => {
    const db = path.join(tmp(), 'index.db')
    writeFileSync(db, '')
    for (const args of [['runs'], ['show', 'latest'], ['explain', 'latest', '--no-tui'], ['gate', '--min-hit-rate', '50']]) {
      const res = await runCli([...args, '--db', db])
      expectIndexFault(res, db, /is empty \(0 bytes\)/, /Fix: delete the empty file/)
    }
    // ingest initialises it like a new index
    await ingestInto(db)
    expect((await runCli(['runs', '--db', db])).exitCode).toBe(0)
  })

  it('damaged pages (the runs table overwritten): exit 2 "damaged", with a fix, for every reading command', async () => {
    const db = path.join(tmp(), 'index.db')
    await ingestInto(db)
    expect(existsSync(`${db}-wal`)).toBe(false)
    const size = statSync(db).size
    const fd = openSync(db, 'r+')
    // page 1 (header, schema) stays; every other page gets a garbage header
    for (let off = 4096; off < size; off += 4096) writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, off)
    closeSync(fd)
    for (const args of [['runs'], ['show', 'latest']]) {
      const res = await runCli([...args, '--db', db])
      expectIndexFault(res, db, /is damaged or not a bakedoctor index \(database disk image is malformed\)/, /Fix: move the file away/)
    }
  })

  it.skipIf(!isRoot)(`a read-only index (files 0444 of another user, the CLI as nobody): exit 2 "cannot be written" for writing and reading commands${isRoot ? '' : ' [skipped: needs root to run the CLI as nobody]'}`, async () => {
    const dir = tmp()
    const db = path.join(dir, 'index.db')
    await ingestInto(db)
    chmodSync(dir, 0o755)
    chmodSync(db, 0o444)
    const res = await runAs(['ingest', capture('r2-warm-remote'), '--db', db, '--no-git'], {cwd: dir, uid: 65534})
    expectIndexFault(res, db, /cannot be written: permission denied or a read-only file/, /Fix: make the index and its directory writable/)
    const runs = await runAs(['runs', '--db', db], {cwd: dir, uid: 65534})
    expectIndexFault(runs, db, /cannot be written: .*even to read it/, /Fix: make the index and its directory writable by this user, or copy the index/)
  })

  it('the disk full while creating the index (file size limit of 8 KiB): exit 2, and no half-created index left', async () => {
    const dir = tmp()
    const db = path.join(dir, '.bakedoctor', 'index.db')
    const res = await runAs(['ingest', capture('r1-cold'), '--db', db, '--no-git'], {cwd: dir, shell: 'ulimit -f 16; trap "" XFSZ;'})
    expectIndexFault(res, db, /could not write the index .*: the disk is full or the file size limit was reached/, /Fix: free disk space/)
    expect(existsSync(path.join(dir, '.bakedoctor')), `left behind: ${existsSync(path.join(dir, '.bakedoctor')) ? readdirSync(path.join(dir, '.bakedoctor')) : ''}`).toBe(false)
  })
})

describe('failures create no .bakedoctor/, and an index is private', () => {
  it('a bad --metadata: exit 2 naming the metadata file and line, no .bakedoctor/ created', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'meta.json'), '{\n  "containerimage.digest": \n}')
    const res = await runCli(['ingest', capture('r1-cold'), '--metadata', 'meta.json', '--no-git'], {cwd: dir})
    expect(res.exitCode, res.stderr).toBe(2)
    expect(res.stderr).toMatch(/Error: meta\.json:3: the metadata file is not valid JSON/)
    expect(res.stderr).toMatch(/Fix: /)
    expect(existsSync(path.join(dir, '.bakedoctor'))).toBe(false)
  })

  it('a build that fails before recording (bad bake file; no engine): no .bakedoctor/ created', async () => {
    const dir = tmp()
    writeFileSync(path.join(dir, 'docker-bake.hcl'), 'target "default" {\n  dockerfile = \n}\n')
    const bad = await runCli(['build', '--driver', 'engine'], {cwd: dir, env: {DOCKER_HOST: `unix://${dir}/none.sock`}})
    expect(bad.exitCode, bad.stderr).toBe(2)
    expect(bad.stderr).toMatch(/docker-bake\.hcl:\d+: /)
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n')
    writeFileSync(path.join(dir, 'docker-bake.hcl'), 'target "default" {}\n')
    const noEngine = await runCli(['build', '--driver', 'engine'], {cwd: dir, env: {DOCKER_HOST: `unix://${dir}/none.sock`}})
    expect(noEngine.exitCode, noEngine.stderr).toBe(1)
    expect(existsSync(path.join(dir, '.bakedoctor'))).toBe(false)
  })

  it('an existing index with loose permissions is tightened to 0600 in a 0700 .bakedoctor/', async () => {
    const dir = tmp()
    const db = path.join(dir, '.bakedoctor', 'index.db')
    await ingestInto(db)
    chmodSync(db, 0o644)
    chmodSync(path.dirname(db), 0o755)
    expect((await runCli(['runs', '--db', db])).exitCode).toBe(0)
    expect(statSync(db).mode & 0o777).toBe(0o600)
    expect(statSync(path.dirname(db)).mode & 0o777).toBe(0o700)
  })
})
