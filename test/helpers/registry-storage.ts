/**
 * Writes artifacts straight into a stopped-or-running Debian docker-registry's filesystem storage
 * (distribution 2.x layout), for setups that need many artifacts already present: uploading a
 * thousand runs through the API costs minutes of a 2-core CI machine, and what those tests measure
 * is the pull that follows. The registry reads storage on every request (no cache configured).
 */
import {createHash} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

function digestOf(bytes: Buffer): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex')
}

function write(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), {recursive: true})
  writeFileSync(file, content)
}

/** Stores blobs (linked into `repository`) and a manifest tagged `tag`. */
export function seedArtifact(storageDir: string, repository: string, tag: string, manifest: Buffer, blobs: Buffer[]): string {
  const root = path.join(storageDir, 'docker/registry/v2')
  const repo = path.join(root, 'repositories', repository)
  const storeBlob = (bytes: Buffer): string => {
    const digest = digestOf(bytes)
    const hex = digest.slice('sha256:'.length)
    write(path.join(root, 'blobs/sha256', hex.slice(0, 2), hex, 'data'), bytes)
    return hex
  }
  for (const blob of blobs) {
    const hex = storeBlob(blob)
    write(path.join(repo, '_layers/sha256', hex, 'link'), `sha256:${hex}`)
  }
  const hex = storeBlob(manifest)
  write(path.join(repo, '_manifests/revisions/sha256', hex, 'link'), `sha256:${hex}`)
  write(path.join(repo, '_manifests/tags', tag, 'current/link'), `sha256:${hex}`)
  write(path.join(repo, '_manifests/tags', tag, 'index/sha256', hex, 'link'), `sha256:${hex}`)
  return `sha256:${hex}`
}
