/**
 * undici's `Agent` and `request()` without its index: `require('undici')` also loads fetch,
 * WebSocket, EventSource, cookies (which pulls in Node's own bundled undici), the HTTP caches, the
 * mocks and every interceptor — about 45 ms of CPU at startup, three times what the two modules a
 * registry or engine client uses cost. Same package, same version (package-lock pins it); the
 * registry tests run every request through this path.
 */
import {createRequire} from 'node:module'
import type {Agent as AgentClass, Dispatcher} from 'undici'
import {keepWasmOnBaselineTier} from './wasm-tier.js'

/** `undici.request(url, options)` for a caller that always names its dispatcher. */
export type RequestFn = (url: URL | string, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {method?: Dispatcher.HttpMethod; dispatcher: Dispatcher}) => Promise<Dispatcher.ResponseData>

export interface UndiciCore {
  Agent: typeof AgentClass
  request: RequestFn
}

let loaded: UndiciCore | undefined

export function loadUndiciCore(): UndiciCore {
  if (loaded) return loaded
  keepWasmOnBaselineTier() // llhttp, its HTTP parser, is WebAssembly
  const require = createRequire(import.meta.url)
  const Agent = require('undici/lib/dispatcher/agent.js') as typeof AgentClass
  // api-request.js is Dispatcher.prototype.request, which only undici's index attaches: called on the dispatcher
  const apiRequest = require('undici/lib/api/api-request.js') as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>
  const request: RequestFn = (url, {dispatcher, method, ...options}) => {
    const u = typeof url === 'string' ? new URL(url) : url
    return apiRequest.call(dispatcher, {...options, origin: u.origin, path: u.pathname + u.search, method: method ?? (options.body ? 'PUT' : 'GET')})
  }
  return (loaded = {Agent, request})
}
