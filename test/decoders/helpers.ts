import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import type {LineDecoder} from '../../src/domain/events/line-decoder.js'
import type {Vertex} from '../../src/domain/events/solve-status.js'
import type {StreamEvent} from '../../src/domain/events/stream-event.js'

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

export function fixturePath(rel: string): string {
  return FIXTURES + rel
}

export function readFixture(rel: string): string {
  return readFileSync(fixturePath(rel), 'utf8')
}

/** Feed a whole text through a decoder the way the reader does: split on \n, 1-based lines. */
export function decodeText(decoder: LineDecoder, text: string): StreamEvent[] {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  const out: StreamEvent[] = []
  lines.forEach((l, i) => out.push(...decoder.push(l, i + 1)))
  out.push(...decoder.end())
  return out
}

export interface FoldedVertex {
  digest: string
  name?: string
  cached: boolean
  completed: boolean
  started: boolean
  error?: string
}

/** Fold vertex snapshots by digest (events.md §1.3): last name wins, cached ORed, last error kept. */
export function foldVertices(events: StreamEvent[]): Map<string, FoldedVertex> {
  const out = new Map<string, FoldedVertex>()
  for (const e of events) {
    if (e.type !== 'status') continue
    for (const v of e.status.vertexes ?? []) foldOne(out, v)
  }
  return out
}

function foldOne(out: Map<string, FoldedVertex>, v: Vertex): void {
  const cur = out.get(v.digest) ?? {digest: v.digest, cached: false, completed: false, started: false}
  if (v.name) cur.name = v.name
  if (v.cached) cur.cached = true
  if (v.completed !== undefined) cur.completed = true
  if (v.started !== undefined) cur.started = true
  if (v.error) cur.error = v.error
  out.set(v.digest, cur)
}
