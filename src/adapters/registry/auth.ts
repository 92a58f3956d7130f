/** One `WWW-Authenticate` challenge (RFC 7235), e.g. `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"`. */
export interface AuthChallenge {
  scheme: string
  params: Record<string, string>
}

/**
 * Parses a `WWW-Authenticate` header into its challenges. Quoted values may contain commas and
 * escaped quotes; several challenges may share one header.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = []
  let i = 0
  const n = header.length
  let current: AuthChallenge | undefined
  const skipWs = () => {
    while (i < n && /[\s,]/.test(header[i] as string)) i++
  }
  while (i < n) {
    skipWs()
    const tokenStart = i
    while (i < n && /[^\s,=]/.test(header[i] as string)) i++
    const token = header.slice(tokenStart, i)
    if (!token) break
    let j = i
    while (j < n && header[j] === ' ') j++
    if (header[j] === '=' ) {
      // a parameter of the current challenge
      i = j + 1
      while (i < n && header[i] === ' ') i++
      let value = ''
      if (header[i] === '"') {
        i++
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++
          value += header[i]
          i++
        }
        i++
      } else {
        const vs = i
        while (i < n && header[i] !== ',') i++
        value = header.slice(vs, i).trim()
      }
      if (current) current.params[token.toLowerCase()] = value
    } else {
      current = {scheme: token.toLowerCase(), params: {}}
      challenges.push(current)
      i = j
    }
  }
  return challenges
}

/** The token endpoint's answer (Docker token spec: `token`, or OAuth2's `access_token`). */
export function tokenFromResponse(body: unknown): {token: string; expiresInSec?: number} | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const b = body as {token?: unknown; access_token?: unknown; expires_in?: unknown}
  const token = typeof b.token === 'string' && b.token ? b.token : typeof b.access_token === 'string' && b.access_token ? b.access_token : undefined
  if (!token) return undefined
  return {token, expiresInSec: typeof b.expires_in === 'number' ? b.expires_in : undefined}
}

/** Pull scope for one repository (`repository:app/cache:pull`). */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`
}
