import {describe, expect, it} from 'vitest'
import {discoverTargets, parseVertexName} from './parse-vertex-name.js'

describe('parseVertexName', () => {
  it('reads platform, stage, index and instruction of a multi-platform build step', () => {
    expect(parseVertexName('[linux/arm64 build 4/6] COPY api/ ./api/')).toMatchObject({
      platform: 'linux/arm64', stage: 'build', index: 4, total: 6, kind: 'COPY', instruction: 'COPY api/ ./api/',
      internal: false, cacheable: true,
    })
  })

  it('reads a right-aligned index and no stage for single-stage Dockerfiles', () => {
    const p = parseVertexName('[ 3/12] RUN make')
    expect(p).toMatchObject({index: 3, total: 12, kind: 'RUN'})
    expect(p.stage).toBeUndefined()
  })

  it('marks FROM as a step but not cacheable', () => {
    const p = parseVertexName('[linux/amd64 deps 1/4] FROM 127.0.0.1:5000/base/busybox:1@sha256:269c')
    expect(p).toMatchObject({kind: 'FROM', internal: false, cacheable: false, stage: 'deps'})
  })

  it('flags plumbing vertices as internal', () => {
    expect(parseVertexName('[internal] load build definition from Dockerfile')).toMatchObject({internal: true, cacheable: false})
    expect(parseVertexName('[linux/amd64 internal] load metadata for x')).toMatchObject({internal: true, platform: 'linux/amd64'})
    expect(parseVertexName('exporting to image')).toMatchObject({internal: true})
    expect(parseVertexName('importing cache manifest from r:api')).toMatchObject({internal: true})
  })

  it('strips a bake target prefix when the target is known', () => {
    const targets = new Set(['api', 'worker'])
    expect(parseVertexName('[api linux/amd64 build 2/4] COPY libs/common/ ./libs/', targets)).toMatchObject({
      target: 'api', platform: 'linux/amd64', stage: 'build', index: 2, kind: 'COPY',
    })
    expect(parseVertexName('[worker internal] load .dockerignore', targets)).toMatchObject({target: 'worker', internal: true})
    expect(parseVertexName('[api] exporting to image', targets)).toMatchObject({target: 'api', internal: true})
    const single = parseVertexName('[api 2/3] RUN x', targets)
    expect(single).toMatchObject({target: 'api', index: 2})
    expect(single.stage).toBeUndefined()
    // without the target known, `[deps 2/4]` is a stage
    const stage = parseVertexName('[deps 2/4] WORKDIR /app')
    expect(stage).toMatchObject({stage: 'deps'})
    expect(stage.target).toBeUndefined()
  })
})

describe('discoverTargets', () => {
  it('finds bake targets from the unambiguous name forms only', () => {
    const names = [
      '[api internal] load build definition from Dockerfile',
      '[worker linux/amd64 internal] load metadata for x',
      '[api] exporting to image',
      '[linux/amd64 build 2/6] WORKDIR /src',
      '[internal] load .dockerignore',
      '[deps 2/4] WORKDIR /app',
    ]
    expect([...discoverTargets(names)].sort()).toEqual(['api', 'worker'])
  })
})

describe('normalizeInstruction', () => {
  it('folds runs of white space and trims, and leaves normal text as it is', async () => {
    const {normalizeInstruction} = await import('../model/step-identity.js')
    expect(normalizeInstruction('RUN  a\tb \n c ')).toBe('RUN a b c')
    expect(normalizeInstruction(' COPY . .')).toBe('COPY . .')
    expect(normalizeInstruction('RUN make all')).toBe('RUN make all')
  })
})
