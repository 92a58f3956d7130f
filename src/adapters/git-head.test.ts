import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import {readHeadFromFiles} from './git-head.js'
import {readGitInfo} from './git.js'

// real repositories made by git; the expected answers are git's own (`rev-parse`), which the file reader must reproduce
const root = mkdtempSync(path.join(tmpdir(), 'git-head-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

const GIT_ENV = {...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x', GIT_CONFIG_NOSYSTEM: '1'}
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, {cwd, encoding: 'utf8', env: GIT_ENV}).trim()
/** what readGitInfo read before (two git processes) */
const byGit = (cwd: string) => {
  const out = (args: string[]) => {
    try {
      return execFileSync('git', args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim() || undefined
    } catch {
      return undefined
    }
  }
  const branch = out(['rev-parse', '--abbrev-ref', 'HEAD'])
  return {commit: out(['rev-parse', 'HEAD']), branch: branch === 'HEAD' ? undefined : branch}
}

function repo(name: string, branch = 'main'): string {
  const dir = path.join(root, name)
  mkdirSync(dir)
  git(dir, 'init', '-q', '-b', branch)
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'one')
  return dir
}

describe('readHeadFromFiles answers as git does', () => {
  test('a branch with a loose ref, from a subdirectory', async () => {
    const dir = repo('loose', 'feature/x')
    mkdirSync(path.join(dir, 'sub', 'deeper'), {recursive: true})
    const cwd = path.join(dir, 'sub', 'deeper')
    const expected = byGit(cwd)
    expect(expected.branch).toBe('feature/x')
    expect(readHeadFromFiles(cwd)).toEqual(expected)
    expect(await readGitInfo(cwd, {})).toEqual(expected)
  })

  test('a packed ref, and a loose ref that moved on after packing', async () => {
    const dir = repo('packed')
    git(dir, 'pack-refs', '--all')
    expect(readHeadFromFiles(dir)).toEqual(byGit(dir))
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'two')
    const expected = byGit(dir)
    expect(expected.commit).toBe(git(dir, 'rev-parse', 'HEAD'))
    expect(readHeadFromFiles(dir)).toEqual(expected)
  })

  test('a detached HEAD has a commit and no branch', async () => {
    const dir = repo('detached')
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'two')
    git(dir, 'checkout', '-q', '--detach', 'HEAD~1')
    const expected = byGit(dir)
    expect(expected.branch).toBeUndefined()
    expect(readHeadFromFiles(dir)).toEqual({commit: expected.commit})
    expect(await readGitInfo(dir, {})).toEqual(expected)
  })

  test('a linked worktree (a .git file, refs in the common directory)', async () => {
    const dir = repo('main-tree')
    const tree = path.join(root, 'linked')
    git(dir, 'worktree', 'add', '-q', '-b', 'side', tree)
    git(tree, 'commit', '-q', '--allow-empty', '-m', 'on side')
    const expected = byGit(tree)
    expect(expected.branch).toBe('side')
    expect(readHeadFromFiles(tree)).toEqual(expected)
  })

  test('CI variables still win over the repository', async () => {
    const dir = repo('ci')
    expect(await readGitInfo(dir, {GITHUB_REF_NAME: 'release', GITHUB_SHA: 'abc'})).toEqual({commit: 'abc', branch: 'release'})
    expect(await readGitInfo(dir, {GITHUB_REF_NAME: 'release'})).toEqual({commit: byGit(dir).commit, branch: 'release'})
  })
})

describe('leaves to git what it cannot be sure of', () => {
  test('a branch name that a tag also has (git says heads/NAME)', async () => {
    const dir = repo('ambiguous')
    git(dir, 'tag', 'main')
    expect(readHeadFromFiles(dir)).toBeUndefined()
    const expected = byGit(dir)
    expect(expected.branch).toBe('heads/main')
    expect(await readGitInfo(dir, {})).toEqual(expected)
  })

  test('a branch with no commit yet', async () => {
    const dir = path.join(root, 'unborn')
    mkdirSync(dir)
    git(dir, 'init', '-q', '-b', 'main')
    expect(readHeadFromFiles(dir)).toBeUndefined()
    const expected = byGit(dir)
    expect(await readGitInfo(dir, {})).toEqual(expected.commit || expected.branch ? expected : undefined)
  })

  test('an empty .git directory (git skips it), GIT_DIR set', async () => {
    const plain = path.join(root, 'plain')
    mkdirSync(path.join(plain, '.git'), {recursive: true})
    expect(readHeadFromFiles(plain)).toBeUndefined()
    expect(readHeadFromFiles(repo('with-env'), {GIT_DIR: '/elsewhere'})).toBeUndefined()
  })
})
