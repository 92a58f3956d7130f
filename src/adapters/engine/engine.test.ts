import {createServer, type Server} from 'node:http'
import {mkdtemp, mkdir, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {walkContext} from '../context/walk.js'
import {buildQuery, EngineClient} from './client.js'
import {packContext} from './context-tar.js'
import {parseDockerHost} from './host.js'

describe('parseDockerHost / buildQuery', () => {
  it('reads unix and tcp hosts, defaults to /var/run/docker.sock', () => {
    expect(parseDockerHost(undefined)).toMatchObject({kind: 'unix', socketPath: '/var/run/docker.sock'})
    expect(parseDockerHost('unix:///tmp/d.sock')).toMatchObject({kind: 'unix', socketPath: '/tmp/d.sock'})
    expect(parseDockerHost('tcp://127.0.0.1:2375')).toMatchObject({kind: 'tcp', origin: 'http://127.0.0.1:2375'})
    expect(() => parseDockerHost('ssh://me@host')).toThrow(/not supported/)
  })
  it('asks for BuildKit with networkmode=none by default', () => {
    const q = new URLSearchParams(buildQuery({tags: ['a:1', 'b:2'], target: 'build', buildArgs: {X: '1'}, platform: 'linux/arm64'}))
    expect(q.get('version')).toBe('2')
    expect(q.getAll('t')).toEqual(['a:1', 'b:2'])
    expect(q.get('networkmode')).toBe('none')
    expect(JSON.parse(q.get('buildargs')!)).toEqual({X: '1'})
    expect(q.get('target')).toBe('build')
    expect(q.get('platform')).toBe('linux/arm64')
  })
})

describe('EngineClient errors', () => {
  let dir: string
  let server: Server | undefined
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-engine-'))
  })
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    server = undefined
    await rm(dir, {recursive: true, force: true})
  })

  it('a missing socket is an ExternalError naming DOCKER_HOST and the fix', async () => {
    const client = new EngineClient(`unix://${dir}/nope.sock`)
    await expect(client.ping()).rejects.toMatchObject({name: 'ExternalError', message: expect.stringContaining(`DOCKER_HOST=unix://${dir}/nope.sock`), fix: expect.stringContaining('DOCKER_HOST')})
    await client.close()
  })

  it('an HTTP error before the stream becomes an ExternalError with the engine message; the tar body arrives', async () => {
    const sock = path.join(dir, 'd.sock')
    let received = 0
    let url = ''
    server = createServer((req, res) => {
      url = req.url ?? ''
      req.on('data', (b: Buffer) => (received += b.length))
      req.on('end', () => {
        res.writeHead(500, {'content-type': 'application/json'})
        res.end(JSON.stringify({message: 'invalid platform "x"'}))
      })
    })
    await new Promise<void>((resolve) => server!.listen(sock, resolve))
    await mkdir(path.join(dir, 'ctx'))
    await writeFile(path.join(dir, 'ctx/Dockerfile'), 'FROM x\n')
    const walk = await walkContext(path.join(dir, 'ctx'))
    const tar = await packContext(walk, path.join(dir, 'ctx/Dockerfile'))
    const client = new EngineClient(`unix://${sock}`)
    await expect(client.build({platform: 'x'}, tar.stream)).rejects.toMatchObject({name: 'ExternalError', message: expect.stringContaining('invalid platform "x"')})
    expect(url).toMatch(/^\/build\?version=2/)
    expect(received).toBeGreaterThanOrEqual(1024)
    await client.close()
  })
})
