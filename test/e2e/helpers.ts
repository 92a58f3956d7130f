import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {cp, mkdir, mkdtemp, rm, symlink, writeFile, copyFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import type {InputComponent, Run, Step} from '../../src/domain/model/run.js'
import {stepSlot} from '../../src/domain/model/step-identity.js'

export const PROJECT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'project')

/** The Docker CLI matching the test engine (Debian's 20.10 client), else whatever is on PATH. */
export const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker'
const BUSYBOX = existsSync('/bin/busybox') ? '/bin/busybox' : '/usr/bin/busybox'

/** A throw-away copy of test/e2e/project plus an index path. */
export async function copyProject(): Promise<{dir: string; db: string; cleanup: () => Promise<void>}> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-e2e-'))
  const dir = path.join(root, 'project')
  await cp(PROJECT, dir, {recursive: true})
  return {dir, db: path.join(root, 'index.db'), cleanup: () => rm(root, {recursive: true, force: true})}
}

/**
 * Imports a busybox rootfs as `tag` without pulling (like scripts/engine.sh), with a marker file so
 * that each call makes an image with a different digest.
 */
export async function importBase(tag: string, marker: string): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-base-'))
  try {
    await mkdir(path.join(root, 'bin'), {recursive: true})
    await mkdir(path.join(root, 'etc'), {recursive: true})
    await copyFile(BUSYBOX, path.join(root, 'bin/busybox'))
    for (const applet of ['sh', 'cat', 'echo', 'sha256sum', 'mkdir', 'ls', 'tr']) await symlink('busybox', path.join(root, 'bin', applet))
    await writeFile(path.join(root, 'etc/bakedoctor-marker'), marker)
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], {maxBuffer: 64 * 1024 * 1024})
    const r = spawnSync(DOCKER, ['import', '--change', 'ENV PATH=/bin', '-', tag], {input: tar, env: process.env})
    if (r.status !== 0) throw new Error(`docker import failed: ${r.stderr.toString()}`)
  } finally {
    await rm(root, {recursive: true, force: true})
  }
}

export function removeImage(tag: string): void {
  spawnSync(DOCKER, ['image', 'rm', '-f', tag], {env: process.env})
}

export async function loadRun(db: string, id: string): Promise<Run> {
  const store = await IndexStore.open(db)
  try {
    return store.getRun(store.resolveRunRef(id))
  } finally {
    store.close()
  }
}

export function cacheableSteps(run: Run): Step[] {
  return run.steps.filter((s) => s.cacheable)
}

export function missed(run: Run): string[] {
  return cacheableSteps(run).filter((s) => !s.cached).map((s) => `${s.stage ?? ''} ${s.index}/${s.total} ${s.instruction}`)
}

export function bySlot(run: Run): Map<string, Step> {
  return new Map(run.steps.filter((s) => !s.internal).map((s) => [stepSlot(s), s]))
}

/**
 * Components present in `b` but not in `a`, per step slot present in both runs. (Two FROMs of the same
 * image are one vertex to BuildKit, announced under whichever stage's name came first, so a slot can
 * be absent from a run.)
 */
export function changedComponents(a: Run, b: Run): Map<string, InputComponent[]> {
  const before = bySlot(a)
  const out = new Map<string, InputComponent[]>()
  for (const [slot, step] of bySlot(b)) {
    const prior = before.get(slot)
    if (!prior) continue
    const old = prior.stepInputs?.components ?? []
    const oldKeys = new Set(old.map((c) => `${c.kind}\0${c.name}\0${c.value}`))
    const changed = (step.stepInputs?.components ?? []).filter((c) => !oldKeys.has(`${c.kind}\0${c.name}\0${c.value}`))
    if (changed.length) out.set(slot, changed)
  }
  return out
}
