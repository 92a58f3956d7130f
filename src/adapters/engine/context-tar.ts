import {randomBytes} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {lstat, readFile, readlink} from 'node:fs/promises'
import path from 'node:path'
import type {Readable} from 'node:stream'
import type {ContextWalk} from '../context/walk.js'

const SMALL_FILE = 8 * 1024 * 1024

export interface ContextTar {
  stream: Readable
  /** the Dockerfile's path inside the tar (the `dockerfile` build parameter) */
  dockerfile: string
  /** resolves when every entry was written (rejects on a read error) */
  done: Promise<void>
}

/**
 * Streams the walked context as a tar (uid/gid 0, like the Docker CLI). A Dockerfile outside the
 * context is added under a random `.dockerfile.<hex>` name, as the Docker CLI does.
 */
export async function packContext(walk: ContextWalk, dockerfileAbs: string): Promise<ContextTar> {
  const {pack: createPack} = await import('tar-stream')
  const pack = createPack()
  let dockerfile = walk.dockerfile
  let outside: string | undefined
  if (!dockerfile) {
    dockerfile = `.dockerfile.${randomBytes(10).toString('hex')}`
    outside = dockerfileAbs
  }
  const write = (header: Parameters<typeof pack.entry>[0], data?: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (data) pack.entry(header, data, (err) => (err ? reject(err) : resolve()))
      else pack.entry(header, (err) => (err ? reject(err) : resolve())).end(undefined as never)
    })

  const done = (async () => {
    for (const entry of walk.entries) {
      const abs = path.join(walk.root, entry.path)
      const st = await lstat(abs)
      const base = {name: entry.path, mode: entry.mode, mtime: st.mtime, uid: 0, gid: 0}
      if (entry.type === 'dir') await write({...base, name: entry.path + '/', type: 'directory'})
      else if (entry.type === 'symlink') await write({...base, type: 'symlink', linkname: await readlink(abs)})
      else if (st.size <= SMALL_FILE) {
        const data = await readFile(abs)
        await write({...base, type: 'file', size: data.length}, data)
      } else {
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry({...base, type: 'file', size: st.size}, (err) => (err ? reject(err) : resolve()))
          const source = createReadStream(abs)
          source.on('error', reject)
          source.on('data', (chunk) => {
            if (!sink.write(chunk as Buffer)) {
              source.pause()
              sink.once('drain', () => source.resume())
            }
          })
          source.on("end", () => sink.end(undefined as never))
        })
      }
    }
    if (outside) {
      const data = await readFile(outside)
      await write({name: dockerfile, type: 'file', size: data.length, mode: 0o644, mtime: new Date(), uid: 0, gid: 0}, data)
    }
    pack.finalize()
  })()
  done.catch((error: unknown) => pack.destroy(error as Error))
  return {stream: pack as unknown as Readable, dockerfile, done}
}
