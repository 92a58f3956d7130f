import type {StreamEvent} from './stream-event.js'

/** The bake target of an event's vertices (the `[api 2/4] …` name prefix), or the single target. */
export function eventTarget(event: StreamEvent, single: string | undefined): string | undefined {
  if (single || event.type !== 'status') return single
  const name = event.status.vertexes?.find((v) => v.name)?.name
  const m = name ? /^\[([^\s\]]+)[\s\]]/.exec(name) : null
  return m?.[1] === 'internal' ? undefined : m?.[1]
}
