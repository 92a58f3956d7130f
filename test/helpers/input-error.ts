import {createWriteStream, existsSync, readFileSync} from 'node:fs'
import {expect} from 'vitest'
import type {CliResult} from './cli.js'

/** The index file and its `-wal`, byte for byte: "nothing changed in the index" is compared on these. */
export interface IndexSnapshot {
  db: Buffer
  wal?: Buffer
}

export function snapshot(db: string): IndexSnapshot {
  return {db: readFileSync(db), wal: existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`) : undefined}
}

export function expectUnchanged(db: string, before: IndexSnapshot): void {
  const after = snapshot(db)
  expect(after.db.equals(before.db), 'index db file changed').toBe(true)
  expect(after.wal === undefined, 'a -wal file appeared or vanished').toBe(before.wal === undefined)
  if (before.wal && after.wal) expect(after.wal.equals(before.wal), 'index -wal changed').toBe(true)
}

/** exit 2; `Error: <file><position>: …`, a `Fix:` line; nothing on stdout */
export function expectInputError(res: CliResult, file: string, message: RegExp, position: RegExp = /:\d+: |@\d+: |![^:]+: /): void {
  expect(res.exitCode, res.stderr).toBe(2)
  expect(res.stderr).toMatch(message)
  const line = res.stderr.split('\n').find((l) => l.startsWith('Error: ')) ?? ''
  expect(line, res.stderr).toContain(file)
  expect(line.slice(line.indexOf(file) + file.length - 1), `no position in: ${line}`).toMatch(position)
  expect(res.stderr).toMatch(/\n\s+Fix: \S/)
  expect(res.stdout.trim()).toBe('')
}

/** Writes a file of `size` bytes from a repeated chunk without holding it in memory. */
export async function writeBig(file: string, head: string, size: number, tail: string, chunk: Buffer = Buffer.alloc(1 << 20, 'A')): Promise<void> {
  const out = createWriteStream(file)
  const write = (b: Buffer | string): Promise<void> => (out.write(b) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())))
  await write(head)
  for (let left = size; left > 0; left -= chunk.length) await write(left >= chunk.length ? chunk : chunk.subarray(0, left))
  await write(tail)
  await new Promise((r) => out.end(r))
}
