import {chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {parseDockerignore, walkContext} from './walk.js'

describe('walkContext', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bakedoctor-walk-'))
    for (const [p, body] of Object.entries({
      'Dockerfile': 'FROM x\n', '.dockerignore': '# comment\n*.log\n!keep.log\nnode_modules\n/docs/\nDockerfile\nsrc/*.tmp\n',
      'a.log': 'x', 'keep.log': 'k', 'node_modules/m/index.js': 'm', 'docs/readme': 'd', 'src/main.ts': 'main', 'src/x.tmp': 't', 'src/deep/y.tmp': 'y',
    })) {
      await mkdir(path.dirname(path.join(dir, p)), {recursive: true})
      await writeFile(path.join(dir, p), body)
    }
    await symlink('main.ts', path.join(dir, 'src/link.ts'))
  })
  afterEach(() => rm(dir, {recursive: true, force: true}))

  it('honours .dockerignore like Docker, and always sends Dockerfile and .dockerignore', async () => {
    const walk = await walkContext(dir)
    expect(walk.entries.map((e) => `${e.type[0]} ${e.path}`)).toEqual([
      'f .dockerignore', 'f Dockerfile', 'f keep.log', 'd src', 'd src/deep', 'f src/deep/y.tmp', 's src/link.ts', 'f src/main.ts',
    ])
    expect(walk.ignorePatterns).toContain('!keep.log')
    expect(walk.ignorePatterns).toContain('docs')
  })

  it('hashes mode + content: mtime does not count, the exec bit does', async () => {
    const hash = async () => (await walkContext(dir)).entries.find((e) => e.path === 'src/main.ts')!.hash
    const before = await hash()
    expect(before).toMatch(/^sha256:[0-9a-f]{64}$/)
    await utimes(path.join(dir, 'src/main.ts'), new Date(0), new Date(0))
    expect(await hash()).toBe(before)
    await chmod(path.join(dir, 'src/main.ts'), 0o755)
    expect(await hash()).not.toBe(before)
    await chmod(path.join(dir, 'src/main.ts'), 0o644)
    await writeFile(path.join(dir, 'src/main.ts'), 'main2')
    expect(await hash()).not.toBe(before)
  })

  it('parseDockerignore cleans patterns the way Docker does', () => {
    expect(parseDockerignore('# c\n\n /a/b/ \n!./c\n./d/../e\n')).toEqual(['a/b', '!c', 'e'])
  })
})
