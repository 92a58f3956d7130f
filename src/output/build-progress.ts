import type {StreamEvent} from '../domain/events/stream-event.js'
import {parseVertexName} from '../domain/steps/parse-vertex-name.js'
import {formatDuration} from '../lib/format.js'

/**
 * Plain progress for pipes and CI logs: one line per build step as it finishes
 * (`CACHED`/`DONE`/`ERROR`), in the order the builder finishes them. Internal vertices are left out.
 */
export class BuildProgressPrinter {
  private readonly names = new Map<string, string>()
  private readonly started = new Map<string, number>()
  private readonly done = new Set<string>()

  constructor(
    private readonly write: (line: string) => void,
    private readonly prefix = '',
  ) {}

  push(event: StreamEvent): void {
    if (event.type === 'build-error') {
      this.write(`${this.prefix}ERROR ${event.message}`)
      return
    }
    if (event.type !== 'status') return
    for (const v of event.status.vertexes ?? []) {
      if (v.name) this.names.set(v.digest, v.name)
      const name = this.names.get(v.digest)
      if (!name) continue
      if (v.started !== undefined && !this.started.has(v.digest)) this.started.set(v.digest, v.started)
      if (v.completed === undefined || this.done.has(`${v.digest}\0${name}`)) continue
      this.done.add(`${v.digest}\0${name}`)
      if (parseVertexName(name).internal) continue
      const start = this.started.get(v.digest) ?? v.started
      const ms = start !== undefined ? Math.max(0, v.completed - start) : undefined
      const state = v.error ? 'ERROR ' : v.cached ? 'CACHED' : 'DONE  '
      this.write(`${this.prefix}${state} ${name}${v.cached || ms === undefined ? '' : ` ${formatDuration(ms)}`}${v.error ? `: ${v.error}` : ''}`)
    }
  }
}
