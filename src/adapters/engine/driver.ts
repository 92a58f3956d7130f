import path from 'node:path'
import type {StreamEvent} from '../../domain/events/stream-event.js'
import {readLines} from '../input/read-lines.js'
import {walkContext, type ContextWalk} from '../context/walk.js'
import type {EngineBuildParams, EngineClient} from './client.js'
import {packContext} from './context-tar.js'

export interface EngineBuildOptions {
  client: EngineClient
  /** context directory */
  context: string
  /** Dockerfile path (absolute, or relative to the context) */
  dockerfile: string
  /** a walk of the context already made (for input hashes); walked here otherwise */
  walk?: ContextWalk
  params: Omit<EngineBuildParams, 'dockerfile'>
  signal?: AbortSignal
  onEvent: (event: StreamEvent) => void
}

export interface EngineBuildOutcome {
  walk: ContextWalk
  imageId?: string
  /** the build's own error (`errorDetail`), when it failed */
  error?: string
  /** the request was aborted (Ctrl-C) */
  cancelled: boolean
  /** the response stream broke off before its end (daemon crash, connection reset): why */
  interrupted?: string
}

/**
 * Runs one build through the Engine API (docs/architecture.md, "Builds"): tars the context honouring
 * `.dockerignore`, POSTs it to `/build?version=2`, and decodes the response stream line by line with
 * the Engine decoder, handing every event to `onEvent` as it arrives.
 */
export async function runEngineBuild(options: EngineBuildOptions): Promise<EngineBuildOutcome> {
  const dockerfileAbs = path.resolve(options.context, options.dockerfile)
  const walk = options.walk ?? (await walkContext(options.context, {dockerfile: dockerfileAbs}))
  const tar = await packContext(walk, dockerfileAbs)
  const {createEngineDecoder} = await import('../../domain/events/decode-engine.js')
  const decoder = createEngineDecoder()
  let imageId: string | undefined
  let error: string | undefined
  const handle = (events: StreamEvent[]): void => {
    for (const event of events) {
      if (event.type === 'result') imageId = event.imageId
      if (event.type === 'build-error') error = event.message
      options.onEvent(event)
    }
  }
  let body: AsyncIterable<Buffer>
  try {
    body = await options.client.build({...options.params, dockerfile: tar.dockerfile}, tar.stream, options.signal)
  } catch (e) {
    if (options.signal?.aborted) return {walk, imageId, error, cancelled: true}
    throw e
  }
  // from here on the build has started: a broken stream must not lose what was already seen
  try {
    for await (const line of readLines(body)) handle(decoder.push(line.text, line.line))
    handle(decoder.end())
    await tar.done
  } catch (e) {
    if (options.signal?.aborted) return {walk, imageId, error, cancelled: true}
    handle(decoder.end())
    tar.done.catch(() => {})
    const reason = e instanceof Error ? e.message : String(e)
    return {walk, imageId, error, cancelled: false, interrupted: reason}
  }
  return {walk, imageId, error, cancelled: false}
}
