import {describe, expect, it} from 'vitest'
import type {Plan} from '../bake/plan.js'
import type {Run, Step} from '../model/run.js'
import {Redactor, hashSecret, isSecretArg, isSecretName} from './policy.js'
import {isHighEntropy, looksLikeToken} from './patterns.js'

// Planted values: built from parts so that this file itself holds no scanner-shaped secret.
const GH = 'ghp_' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAB7C'
const GHO = 'gho_' + '16C7e42F292c6912E7710c838347Ae178B4a'
const PAT = 'github_pat_' + '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123'
const AKIA = 'AKIA' + 'IOSFODNN7EXAMPLE'
const ASIA = 'ASIA' + 'Y34FZKBOKMUTVV7A'
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY'
const NPM = 'npm_' + 'aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2'
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ' + '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'
const PEM_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj'
const PEM = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\n-----END PRIVATE KEY-----`
const URL_PASS = 's3cr3t-Pa55'
const URL = `https://deploy:${URL_PASS}@git.example.com/org/repo.git`
const RANDOM = 'Zq8Lw2Xv9Rt4Ny7Kp3Hm6Bd1Jf5Gc0'

const r = new Redactor({salt: 'test-salt'})
const MARK = /secret:[0-9a-f]{16}/

describe('redaction policy: secret names', () => {
  it.each(['NPM_TOKEN', 'GH_TOKEN', 'github_token', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'API_KEY', 'apiKey', 'GCP_CREDENTIALS', 'BASIC_AUTH', 'AUTHORIZATION', 'SSH_PRIVATE_KEY'])('%s is a secret name', (name) => {
    expect(isSecretName(name)).toBe(true)
    expect(r.value(name, 'plain-value')).toMatch(/^secret:[0-9a-f]{16}$/)
  })

  it.each(['VERSION', 'BASE', 'NODE_ENV', 'org.opencontainers.image.authors', 'AUTHOR', 'GO_VERSION'])('%s is not a secret name', (name) => {
    expect(isSecretName(name)).toBe(false)
    expect(r.value(name, '1.2.3')).toBe('1.2.3')
  })
})

describe('redaction policy: token shapes under innocent names', () => {
  it.each([
    ['GitHub classic', GH], ['GitHub OAuth', GHO], ['GitHub fine-grained', PAT], ['AWS access key', AKIA], ['AWS session key', ASIA],
    ['AWS secret key', AWS_SECRET], ['npm', NPM], ['JWT', JWT], ['PEM private key', PEM],
  ])('%s: the value is hashed whole, in text it is replaced', (_kind, value) => {
    expect(looksLikeToken(value)).toBe(true)
    expect(isSecretArg('GH', value)).toBe(true)
    expect(r.value('GH', value)).toMatch(/^secret:[0-9a-f]{16}$/)
    const text = r.text(`RUN echo ${value} > /tmp/x`)
    expect(text).not.toContain(value)
    expect(text).toMatch(MARK)
  })

  it('a URL keeps scheme and host, loses the user-info', () => {
    const out = r.text(`fetching ${URL}`)
    expect(out).not.toContain(URL_PASS)
    expect(out).toMatch(/^fetching https:\/\/secret:[0-9a-f]{16}@git\.example\.com\/org\/repo\.git$/)
    expect(r.value('REPO', URL)).not.toContain(URL_PASS)
  })

  it('credentials before a host without a scheme (an image ref typed with them) lose the user-info, idempotently', () => {
    for (const ref of [`deploy:${URL_PASS}@registry.example.com/app/image:tag`, `deploy:${URL_PASS}@127.0.0.1:5000/app`]) {
      const out = r.text(`cannot read ${ref}`)
      expect(out).not.toContain(URL_PASS)
      expect(out).toMatch(/^cannot read secret:[0-9a-f]{16}@(registry\.example\.com|127\.0\.0\.1:5000)\//)
      expect(r.text(out)).toBe(out)
      expect(looksLikeToken(ref)).toBe(true)
    }
    expect(r.text(`https://ci:${URL_PASS}@github.com/org/repo.git`)).toBe(r.text(r.text(`https://ci:${URL_PASS}@github.com/org/repo.git`)))
  })

  it('a long random build-arg value is a secret; in free text it is not guessed at', () => {
    expect(isHighEntropy(RANDOM)).toBe(true)
    expect(r.value('SEED', RANDOM)).toMatch(/^secret:[0-9a-f]{16}$/)
  })

  it('a PEM key cut by a log tail is still removed (BEGIN without END, END without BEGIN)', () => {
    const lines = PEM.split('\n')
    expect(r.text(lines.slice(0, 2).join('\n'))).not.toContain(PEM_BODY)
    const tail = r.text(lines.slice(1).join('\n'))
    expect(tail).not.toContain(PEM_BODY)
    expect(tail).not.toContain('MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi')
  })

  it('NAME=value assignments with a secret name, in shell, build-arg and JSON form', () => {
    const out = r.text(`RUN NPM_TOKEN=hunter22 npm ci && export DB_PASSWORD="pa ss" --build-arg API_KEY='k3y' {"GH_TOKEN": "abcd1234"}`)
    for (const v of ['hunter22', 'pa ss', 'k3y', 'abcd1234']) expect(out).not.toContain(v)
    expect(out).toContain('NPM_TOKEN=secret:')
    expect(out).toContain('DB_PASSWORD="secret:')
    // a reference to a variable is not its value
    expect(r.text('RUN echo NPM_TOKEN=$NPM_TOKEN')).toBe('RUN echo NPM_TOKEN=$NPM_TOKEN')
  })

  it('known values (secret-named build args) are replaced wherever they appear', () => {
    const k = r.withKnown(['hunter22-plain'])
    expect(k.text('[2/3] COPY hunter22-plain /x')).toBe(`[2/3] COPY ${hashSecret('hunter22-plain', 'test-salt')} /x`)
  })
})

describe('redaction policy: no false positives', () => {
  const ordinary = [
    'FROM docker.io/library/node:20@sha256:4f0b6b8e4f5e6a1c3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d',
    'sha256:4f0b6b8e4f5e6a1c3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d',
    '3f2a9c0e7b1d4a5f6e8c9b0a1d2e3f4a5b6c7d8e', // a git commit
    'COPY src/Components/Header/index.tsx /app/src/',
    '/usr/local/lib/node_modules/npm/bin/npm-cli.js',
    '1.2.3-alpine3.19', 'v20.11.1', 'linux/arm64/v8', 'type=registry,ref=registry.example.com/app:cache,mode=max',
    'RUN --mount=type=secret,id=NPM_TOKEN,env=NPM_TOKEN npm ci',
    'org.opencontainers.image.authors=team@example.com',
    'https://github.com/org/repo.git#main', 'git@github.com:org/repo.git',
    'alpine:3.20@sha256:4f0b6b8e4f5e6a1c3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d', 'ghcr.io/acme/app:1.2@sha256:4f0b6b8e4f5e6a1c3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d',
    'RUN npm ci --omit=dev && npm run build:production',
    'my-very-long-service-name-with-words-2024',
    'ThisIsACamelCaseIdentifierName',
    '#5 DONE 0.3s', '"key": "rootfs"',
  ]
  it.each(ordinary)('%s is left alone', (text) => {
    expect(r.text(text)).toBe(text)
    expect(looksLikeToken(text)).toBe(false)
  })

  it.each(['sha256:4f0b6b8e4f5e6a1c3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d', '4f0b6b8e4f5e6a1c3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d', '1.2.3', 'production', 'docker.io/library/busybox:1.36', 'my-very-long-service-name-with-words-2024', 'ThisIsACamelCaseIdentifierName'])(
    'build arg value %s is not a secret under an innocent name',
    (value) => expect(r.value('BASE', value)).toBe(value),
  )
})

describe('redaction policy: the hash keeps "changed / unchanged"', () => {
  it('the same value gives the same marker, a different value a different one, another salt another one', () => {
    expect(r.value('NPM_TOKEN', 'one')).toBe(r.value('NPM_TOKEN', 'one'))
    expect(r.value('NPM_TOKEN', 'one')).not.toBe(r.value('NPM_TOKEN', 'two'))
    expect(new Redactor({salt: 'other'}).value('NPM_TOKEN', 'one')).not.toBe(r.value('NPM_TOKEN', 'one'))
    expect(r.text(`echo ${GH}`)).toBe(r.text(`echo ${GH}`))
  })

  it('redaction is idempotent: a marker is never redacted again (index, then presenter)', () => {
    const once = r.text(`NPM_TOKEN=abc12345 ${GH} ${URL}`)
    expect(r.text(once)).toBe(once)
    expect(new Redactor({salt: 'presenter'}).text(once)).toBe(once)
    expect(r.value('NPM_TOKEN', r.value('NPM_TOKEN', 'x1234'))).toBe(r.value('NPM_TOKEN', 'x1234'))
  })

  it('plans: secret args and token-shaped values hashed, the rest untouched; equal plans stay equal', () => {
    const plan: Plan = {
      group: {default: {targets: ['api']}},
      target: {api: {context: '.', dockerfile: 'Dockerfile', args: {NPM_TOKEN: 'hunter22', GH: GH, VERSION: '1.2.3'}, labels: {x: GH, team: 'core'}, tags: ['app:1']}},
    }
    const out = r.plan(plan)
    const t = out.target.api!
    expect(t.args!.NPM_TOKEN).toMatch(/^secret:/)
    expect(t.args!.GH).toMatch(/^secret:/)
    expect(t.args!.VERSION).toBe('1.2.3')
    expect(t.labels!.x).toMatch(/^secret:/)
    expect(t.labels!.team).toBe('core')
    expect(t.tags).toEqual(['app:1'])
    expect(JSON.stringify(r.plan(plan))).toBe(JSON.stringify(out))
    expect(JSON.stringify(out)).not.toContain('hunter22')
  })

  it('runs: step names, logs, errors, labels, metadata args and recorded inputs', () => {
    const step: Step = {
      digest: 'sha256:' + 'a'.repeat(64), name: `[2/3] RUN echo ${AKIA}`, kind: 'RUN', instruction: `RUN echo ${AKIA}`, internal: false, cacheable: true,
      cached: false, servedInRun: false, completed: true, durationMs: 1, inputs: [], error: `failed: ${AWS_SECRET}`,
      logTail: ['-----BEGIN RSA PRIVATE KEY-----', PEM_BODY, '-----END RSA PRIVATE KEY-----', 'NPM_TOKEN=hunter22'],
      stepInputs: {fingerprint: 'sha256:' + 'b'.repeat(64), components: [{kind: 'arg', name: 'GH', value: GH}, {kind: 'file', name: 'src/a.txt', value: 'sha256:' + 'c'.repeat(64)}]},
    }
    const run: Run = {
      source: 'rawjson', createdAt: 0, durationMs: 1, status: 'failed', error: `token ${NPM}`, targets: ['api'], platforms: [], steps: [step],
      labels: {x: GH}, skippedLines: 0, metadata: {buildArgs: {api: {NPM_TOKEN: 'hunter22', v: '1'}}}, git: {commit: '3f2a9c0e7b1d4a5f6e8c9b0a1d2e3f4a5b6c7d8e', branch: 'main'},
    }
    const json = JSON.stringify(r.run(run))
    for (const v of [AKIA, AWS_SECRET, PEM_BODY, 'hunter22', GH, NPM]) expect(json).not.toContain(v)
    const s = r.run(run).steps[0]!
    expect(s.stepInputs!.components[1]!.value).toBe('sha256:' + 'c'.repeat(64))
    expect(s.stepInputs!.components[0]!.secret).toBe(true)
    expect(s.digest).toBe(step.digest)
    expect(r.run(run).git!.commit).toBe('3f2a9c0e7b1d4a5f6e8c9b0a1d2e3f4a5b6c7d8e')
    expect(r.run(run).metadata!.buildArgs!.api!.v).toBe('1')
  })

  it('JSON results: env-style keys hash their values, bakedoctor\'s own camelCase fields do not', () => {
    const out = r.deep({args: {NPM_TOKEN: 'hunter22', aws_secret_access_key: 'abc12345'}, key: 'rootfs', rootKey: 'sha256:' + 'd'.repeat(64)})
    expect(out.args.NPM_TOKEN).toMatch(MARK)
    expect(out.args.aws_secret_access_key).toMatch(MARK)
    expect(out.key).toBe('rootfs')
    expect(out.rootKey).toBe('sha256:' + 'd'.repeat(64))
  })

  it('an object met twice is redacted for each place: inside a map of named values, and outside one', () => {
    // `deep` reuses the result for an object it has seen (results share sub-objects), per context
    const shared = {password: 'correct-horse-battery', note: 'see https://bob:hunter22@example.com/x'}
    const out = r.deep({args: shared, other: shared, again: [shared, shared]})
    expect(out.args.password).toMatch(MARK)
    expect(out.other.password).toBe('correct-horse-battery')
    for (const o of [out.args, out.other, ...out.again]) expect(o.note).not.toContain('hunter22')
    expect(out.again[0]).toEqual(out.other)
    expect(shared.note).toContain('hunter22')
  })
})

describe('redaction policy: fields it does not know by name', () => {
  it('a step or run field added later (provenance, …) is redacted as JSON, not passed through', () => {
    const step = {
      digest: 'sha256:' + 'a'.repeat(64), name: 'RUN x', kind: 'RUN', instruction: 'RUN x', internal: false, cacheable: true, cached: false, servedInRun: false,
      completed: true, durationMs: 1, inputs: [], logTail: [],
      provenance: {definition: {kind: 'exec', inputs: [], exec: {args: ['/bin/sh', '-c', `echo ${GH}`], env: {NPM_TOKEN: 'hunter22', PATH: '/bin'}, mounts: []}}},
    } as unknown as Step
    const run = {source: 'rawjson', createdAt: 0, durationMs: 1, status: 'completed', targets: [], platforms: [], steps: [step], labels: {}, skippedLines: 0, provenance: [{buildArgs: {NPM_TOKEN: 'hunter22', token: 'lower-case-name-1'}}]} as unknown as Run
    const out = JSON.stringify(r.run(run))
    expect(out).not.toContain(GH)
    expect(out).not.toContain('hunter22')
    expect(out).not.toContain('lower-case-name-1')
    expect(out).toContain('"PATH":"/bin"')
  })
})

describe('hasBase64Run (the AWS-key pre-check)', () => {
  it('finds a 40-character run wherever it starts, and nothing shorter', async () => {
    const {hasBase64Run} = await import('./patterns.js')
    for (let pad = 0; pad < 45; pad++) {
      expect(hasBase64Run(' '.repeat(pad) + 'a'.repeat(40) + ' x'), `pad ${pad}`).toBe(true)
      expect(hasBase64Run(' '.repeat(pad) + 'a'.repeat(39) + ' ' + 'b'.repeat(39)), `pad ${pad}`).toBe(false)
    }
  })
})
