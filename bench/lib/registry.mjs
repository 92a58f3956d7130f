// A loopback `docker-registry` loaded with a fixture snapshot under many tags, for the cache
// inspect figure: started, read and pushed by the code the tests use (test/helpers/registry-server.mjs).
import {existsSync} from 'node:fs'
import path from 'node:path'

export {REGISTRY_BIN, startRegistry, loadSnapshot, pushSnapshotTags} from '../../test/helpers/registry-server.mjs'

export function which(bin) {
  if (bin.includes('/')) return existsSync(bin) ? bin : undefined
  for (const d of (process.env.PATH ?? '').split(':')) if (d && existsSync(path.join(d, bin))) return path.join(d, bin)
  return undefined
}
