/**
 * Docker Engine API `POST /build?version=2` response body (events.md §3): one JSON object per
 * line (dockerd terminates them with `\r\n`).
 *
 *   {"id":"moby.buildkit.trace","aux":"<base64 StatusResponse>"}  → status
 *   {"id":"moby.image.id","aux":{"ID":"sha256:…"}}                 → result (also {"aux":{"ID":…}})
 *   {"errorDetail":{"message":…},"error":…} / {"message":…}         → build-error
 *   {"stream":"Successfully tagged …\n"}                           → skipped (text kept)
 *   anything else (other JSON, non-JSON, undecodable trace)        → skipped
 */
import {base64Decode} from '@bufbuild/protobuf/wire'
import type {LineDecoder} from './line-decoder.js'
import {decodeStatusResponse} from './status-protobuf.js'
import type {StreamEvent} from './stream-event.js'

export {decodeStatusResponse, ProtobufDecodeError} from './status-protobuf.js'
export type {LineDecoder} from './line-decoder.js'

export const ENGINE_TRACE_ID = 'moby.buildkit.trace'
export const ENGINE_IMAGE_ID = 'moby.image.id'

export function createEngineDecoder(): LineDecoder {
  return {
    push(text: string, line: number): StreamEvent[] {
      const event = decodeEngineLine(text, line)
      return event ? [event] : []
    },
    end(): StreamEvent[] {
      return []
    },
  }
}

/** Decode one line of the stream; undefined for blank lines. Never throws. */
export function decodeEngineLine(raw: string, line: number): StreamEvent | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
  const position = {line}
  if (text.trim() === '') return undefined
  const skipped = (t: string = text): StreamEvent => ({type: 'skipped', text: t, position})

  const trimmed = text.trimStart()
  if (!trimmed.startsWith('{')) return skipped()
  let message: unknown
  try {
    message = JSON.parse(trimmed)
  } catch {
    return skipped()
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) return skipped()
  const m = message as Record<string, unknown>

  if (m.id === ENGINE_TRACE_ID) {
    if (typeof m.aux !== 'string') return skipped()
    const bytes = strictBase64(m.aux)
    if (!bytes) return skipped()
    try {
      return {type: 'status', status: decodeStatusResponse(bytes), position}
    } catch {
      return skipped()
    }
  }

  // moby.image.id (BuildKit); the classic builder sends the same aux without an id
  if (m.id === ENGINE_IMAGE_ID || (m.id === undefined && m.aux !== undefined)) {
    const aux = m.aux as {ID?: unknown} | undefined
    if (aux && typeof aux === 'object' && typeof aux.ID === 'string' && aux.ID) {
      return {type: 'result', imageId: aux.ID, position}
    }
    return skipped()
  }

  const errorMessage = engineErrorMessage(m)
  if (errorMessage !== undefined) return {type: 'build-error', message: errorMessage, position}

  if (typeof m.stream === 'string') {
    return skipped(m.stream.replace(/\r?\n$/, ''))
  }
  return skipped()
}

/** `errorDetail.message`, else `error`, else a bare HTTP error body `{"message": …}`. */
function engineErrorMessage(m: Record<string, unknown>): string | undefined {
  const detail = m.errorDetail as {message?: unknown} | undefined
  if (detail && typeof detail === 'object' && typeof detail.message === 'string' && detail.message) return detail.message
  if (typeof m.error === 'string' && m.error) return m.error
  // an error returned before any output: the whole body is {"message": "..."} (§3.2)
  const keys = Object.keys(m)
  if (keys.length === 1 && keys[0] === 'message' && typeof m.message === 'string' && m.message) return m.message
  return undefined
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Std base64 as Go's encoding/json writes it (padded); undefined when malformed. */
export function strictBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined
  return base64Decode(text)
}
