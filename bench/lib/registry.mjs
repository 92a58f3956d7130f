// A loopback `docker-registry` loaded with a fixture snapshot under many tags, for the cache
// inspect figure. Snapshots are read and pushed by the code the tests use (test/helpers/registry-snapshots.mjs).
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {randomUUID} from 'node:crypto'
import {request} from 'undici'

export const REGISTRY_BIN = process.env.BAKEDOCTOR_REGISTRY_BIN ?? '/usr/bin/docker-registry'

export function which(bin) {
  if (bin.includes('/')) return existsSync(bin) ? bin : undefined
  for (const d of (process.env.PATH ?? '').split(':')) if (d && existsSync(path.join(d, bin))) return path.join(d, bin)
  return undefined
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

export async function startRegistry() {
  const work = mkdtempSync(path.join(tmpdir(), 'bakedoctor-bench-registry-'))
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const config = path.join(work, 'config.yml')
  writeFileSync(config, [
    'version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true',
    'storage:', '  filesystem:', `    rootdirectory: ${path.join(work, 'storage')}`,
    'http:', `  addr: ${host}`, `  secret: ${randomUUID()}`, '',
  ].join('\n'))
  const child = spawn(REGISTRY_BIN, ['serve', config], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (b) => (stderr = (stderr + b).slice(-4000)))
  const url = `http://${host}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(work, {recursive: true, force: true})
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`)
    try {
      const res = await request(`${url}/v2/`, {headersTimeout: 2000})
      await res.body.dump()
      break
    } catch {
      if (Date.now() > deadline) {
        await stop()
        throw new Error(`docker-registry did not start on ${host}: ${stderr}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {host, url, stop}
}

export {loadSnapshot, pushSnapshotTags} from '../../test/helpers/registry-snapshots.mjs'
