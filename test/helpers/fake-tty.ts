import {PassThrough, Writable} from 'node:stream'

/** A writable that looks like a terminal of the given size, and records what is written. */
export function fakeTerminal(columns: number, rows: number): NodeJS.WriteStream & {output: string[]} {
  const output: string[] = []
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      output.push(String(chunk))
      done()
    },
  }) as unknown as NodeJS.WriteStream & {output: string[]}
  Object.assign(stream, {isTTY: true, columns, rows, output})
  return stream
}

/** A readable that looks like a TTY stdin in raw mode; write key sequences to it. */
export function fakeKeyboard(): NodeJS.ReadStream & PassThrough {
  const stream = new PassThrough() as unknown as NodeJS.ReadStream & PassThrough
  Object.assign(stream, {isTTY: true, isRaw: true, setRawMode: () => stream, ref: () => stream, unref: () => stream})
  return stream
}
