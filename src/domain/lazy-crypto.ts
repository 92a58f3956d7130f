import {createRequire} from 'node:module'

type NodeCrypto = typeof import('node:crypto')
let loaded: NodeCrypto | undefined

/**
 * node:crypto, loaded on first use. Importing it costs ~3 ms of every start (its ES module namespace
 * evaluates every export), and most commands that read the index hash nothing: `explain` reading its
 * stored explanation, a gate, `runs`.
 */
export function nodeCrypto(): NodeCrypto {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as NodeCrypto)
}
