/**
 * History behaviour a real (Debian distribution 2.8) registry cannot show, through undici's MockAgent:
 * tag-list pagination (`Link: rel="next"`; 2.8 ignores `?n=` for tags) and a registry that predates
 * OCI 1.1 refusing `artifactType` (the push falls back to the artifact type in config.mediaType).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {MockAgent} from 'undici'
import {createRegistryClient} from '../../src/adapters/registry/client.js'
import {listTags, nextPageUrl} from '../../src/adapters/registry/push.js'
import {IndexStore} from '../../src/adapters/db/index-store.js'
import {RUN_ARTIFACT_TYPE} from '../../src/domain/history/artifact.js'
import type {Run} from '../../src/domain/model/run.js'
import {pushHistory} from '../../src/services/history.js'
import {imageRef} from '../helpers/oci-layout.js'

const ORIGIN = 'https://reg.test'

let agent: MockAgent
let work: string
beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  work = mkdtempSync(path.join(tmpdir(), 'bakedoctor-history-mock-'))
})
afterEach(async () => {
  await agent.close()
  rmSync(work, {recursive: true, force: true})
})

describe('tag listing', () => {
  test('follows Link rel="next" pages until there is none', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({path: '/v2/team/hist/tags/list?n=2', method: 'GET'})
      .reply(200, {name: 'team/hist', tags: ['a', 'b']}, {headers: {link: '</v2/team/hist/tags/list?n=2&last=b>; rel="next"'}})
    pool.intercept({path: '/v2/team/hist/tags/list?n=2&last=b', method: 'GET'})
      .reply(200, {name: 'team/hist', tags: ['c', 'd']}, {headers: {link: '</v2/team/hist/tags/list?n=2&last=d>; rel="next"'}})
    pool.intercept({path: '/v2/team/hist/tags/list?n=2&last=d', method: 'GET'}).reply(200, {name: 'team/hist', tags: ['e']})
    const client = await createRegistryClient({dispatcher: agent, retry: {retries: 0}})
    expect(await listTags(client, imageRef('reg.test/team/hist'), {pageSize: 2, maxPages: 10, pageBytes: 1024})).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  test('a registry that paginates forever is stopped at maxPages; a next page on another host is refused', async () => {
    const pool = agent.get(ORIGIN)
    let page = 0
    pool.intercept({path: /\/v2\/team\/hist\/tags\/list.*/, method: 'GET'}).reply(() => {
      page++
      return {statusCode: 200, data: {tags: [`t${page}`]}, responseOptions: {headers: {link: `</v2/team/hist/tags/list?n=2&last=t${page}>; rel="next"`}}}
    }).persist()
    const client = await createRegistryClient({dispatcher: agent, retry: {retries: 0}})
    await expect(listTags(client, imageRef('reg.test/team/hist'), {pageSize: 2, maxPages: 3, pageBytes: 1024})).rejects.toThrow(/more than 3 pages/)
    expect(nextPageUrl('<https://evil.test/v2/x/tags/list?last=1>; rel="next"', new URL(ORIGIN))?.host).toBe('evil.test')
    const other = new MockAgent()
    other.disableNetConnect()
    other.get(ORIGIN).intercept({path: '/v2/team/hist/tags/list?n=2', method: 'GET'})
      .reply(200, {tags: ['x']}, {headers: {link: '<https://evil.test/v2/team/hist/tags/list?last=x>; rel="next"'}})
    const client2 = await createRegistryClient({dispatcher: other, retry: {retries: 0}})
    await expect(listTags(client2, imageRef('reg.test/team/hist'), {pageSize: 2, maxPages: 3, pageBytes: 1024})).rejects.toThrow(/another host \(evil\.test\)/)
    await other.close()
  })

  test('a repository never pushed to has no tags (404 NAME_UNKNOWN)', async () => {
    agent.get(ORIGIN).intercept({path: '/v2/team/new/tags/list?n=1000', method: 'GET'}).reply(404, {errors: [{code: 'NAME_UNKNOWN'}]})
    const client = await createRegistryClient({dispatcher: agent, retry: {retries: 0}})
    expect(await listTags(client, imageRef('reg.test/team/new'))).toEqual([])
  })
})

describe('a registry before OCI 1.1', () => {
  test('refuses artifactType with 400 MANIFEST_INVALID: the run is pushed with the artifact type in config.mediaType', async () => {
    const db = path.join(work, 'index.db')
    const store = await IndexStore.open(db, {create: true})
    const run: Run = {source: 'rawjson', createdAt: Date.UTC(2026, 0, 2), durationMs: 10, status: 'completed', targets: ['api'], platforms: [], labels: {}, skippedLines: 0, steps: []}
    store.saveRun(run)
    store.close()
    const pool = agent.get(ORIGIN)
    pool.intercept({path: '/v2/team/old/tags/list?n=1000', method: 'GET'}).reply(200, {tags: []})
    pool.intercept({path: /\/v2\/team\/old\/blobs\/sha256:.*/, method: 'HEAD'}).reply(404, '').persist()
    pool.intercept({path: '/v2/team/old/blobs/uploads/', method: 'POST'}).reply(202, '', {headers: {location: '/v2/team/old/blobs/uploads/u1?_state=s'}}).persist()
    pool.intercept({path: /\/v2\/team\/old\/blobs\/uploads\/u1\?.*digest=sha256.*/, method: 'PUT'}).reply(201, '').persist()
    const manifests: Array<{artifactType?: string; config: {mediaType: string}}> = []
    pool.intercept({path: /\/v2\/team\/old\/manifests\/.*/, method: 'PUT'}).reply((opts) => {
      const body = JSON.parse(String(opts.body))
      manifests.push(body)
      return body.artifactType ? {statusCode: 400, data: {errors: [{code: 'MANIFEST_INVALID'}]}} : {statusCode: 201, data: ''}
    }).persist()
    const result = await pushHistory({db, cwd: work, ref: 'reg.test/team/old', dispatcher: agent, retry: {retries: 0}})
    expect(result.manifestForm).toBe('oci-1.0')
    expect(result.pushed).toHaveLength(1)
    expect(manifests).toHaveLength(2)
    expect(manifests[0]?.artifactType).toBe(RUN_ARTIFACT_TYPE)
    expect(manifests[1]?.artifactType).toBeUndefined()
    expect(manifests[1]?.config.mediaType).toBe(RUN_ARTIFACT_TYPE)
  })
})
