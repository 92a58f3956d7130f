import {describe, expect, test} from 'vitest'
import {parseWwwAuthenticate, tokenFromResponse} from './auth.js'
import {isLoopbackHost, parseRetryAfter} from './client.js'
import {normalizeAuthKey} from './docker-config.js'

describe('WWW-Authenticate', () => {
  test('a Docker bearer challenge yields realm, service and scope', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')
    expect(c).toEqual({scheme: 'bearer', params: {realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull'}})
  })

  test('several challenges, quoted commas and escapes', () => {
    const cs = parseWwwAuthenticate('Basic realm="a, b", Bearer realm="https://x/t",scope="repository:a:pull,push",error="insufficient_scope", Custom k=v')
    expect(cs.map((c) => c.scheme)).toEqual(['basic', 'bearer', 'custom'])
    expect(cs[0]?.params.realm).toBe('a, b')
    expect(cs[1]?.params.scope).toBe('repository:a:pull,push')
    expect(cs[2]?.params.k).toBe('v')
    expect(parseWwwAuthenticate('Basic realm="say \\"hi\\""')[0]?.params.realm).toBe('say "hi"')
  })

  test('token responses: token or access_token', () => {
    expect(tokenFromResponse({token: 't', expires_in: 60})).toEqual({token: 't', expiresInSec: 60})
    expect(tokenFromResponse({access_token: 'a'})).toEqual({token: 'a', expiresInSec: undefined})
    expect(tokenFromResponse({})).toBeUndefined()
  })
})

describe('client helpers', () => {
  test('Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
  })

  test('only loopback hosts count as loopback', () => {
    expect(isLoopbackHost('127.0.0.1:5000')).toBe(true)
    expect(isLoopbackHost('localhost:5000')).toBe(true)
    expect(isLoopbackHost('[::1]:5000')).toBe(true)
    expect(isLoopbackHost('10.0.0.1:5000')).toBe(false)
    expect(isLoopbackHost('localhost.evil.com')).toBe(false)
    expect(isLoopbackHost('registry.example.com')).toBe(false)
  })

  test('docker config auth keys normalise to host[:port]', () => {
    expect(normalizeAuthKey('https://index.docker.io/v1/')).toBe('index.docker.io')
    expect(normalizeAuthKey('https://Reg.Example.com:5000/v2/')).toBe('reg.example.com:5000')
    expect(normalizeAuthKey('ghcr.io')).toBe('ghcr.io')
  })
})
