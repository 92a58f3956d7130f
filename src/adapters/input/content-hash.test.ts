import {createHash} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import {hashFile, hashFileInBackground, hashInWorker} from './content-hash.js'

const dir = mkdtempSync(path.join(tmpdir(), 'content-hash-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** 3.5 MiB of varied bytes: several of the worker's 1 MiB reads, the last one partial */
function sample(): {file: string; sha256: string} {
  const bytes = Buffer.alloc(3.5 * 1024 * 1024)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 11)) & 0xff
  const file = path.join(dir, 'sample.bin')
  writeFileSync(file, bytes)
  return {file, sha256: `sha256:${createHash('sha256').update(bytes).digest('hex')}`}
}

describe('hashFileInBackground', () => {
  test('gives the sha256 of the whole file, as hashFile does', async () => {
    const {file, sha256} = sample()
    const worker = hashInWorker(file)
    worker.ref()
    expect(await worker.digest).toBe(sha256)
    expect(await hashFileInBackground(file).digest()).toBe(sha256)
    expect(await hashFile(file)).toBe(sha256)
  })

  test('an empty file hashes to the sha256 of nothing', async () => {
    const file = path.join(dir, 'empty')
    writeFileSync(file, '')
    expect(await hashFileInBackground(file).digest()).toBe(`sha256:${createHash('sha256').digest('hex')}`)
  })

  test('a file the worker cannot read fails as hashFile fails (the caller sees the read error)', async () => {
    await expect(hashFileInBackground(path.join(dir, 'missing')).digest()).rejects.toThrow(/ENOENT/)
  })

  test('cancel stops the worker without an unhandled rejection', async () => {
    const {file} = sample()
    const hashing = hashFileInBackground(file)
    hashing.cancel()
    // asked for after cancel: the fallback still answers with the right digest
    expect(await hashing.digest()).toMatch(/^sha256:[0-9a-f]{64}$/)
  })
})
