/** Reading bake files as they were at a git revision (`git show REV:path`). */
import {execFile} from 'node:child_process'
import path from 'node:path'
import {UsageError} from '../../errors.js'
import type {BakeFileText} from '../../domain/bake/body.js'

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, {cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8'}, (err, stdout, stderr) => {
      if (err) reject(new Error((stderr || err.message).trim()))
      else resolve(stdout)
    })
  })
}

/** The repository-relative path of `file` (relative to cwd) for `git show REV:path`. */
async function repoPath(cwd: string, file: string): Promise<string> {
  const top = (await git(['rev-parse', '--show-toplevel'], cwd)).trim()
  return path.relative(top, path.resolve(cwd, file)).split(path.sep).join('/')
}

/** Names that exist at `rev` among `candidates` (default lookup at a revision). */
export async function existingAtRevision(cwd: string, rev: string, candidates: string[]): Promise<string[]> {
  const out: string[] = []
  for (const c of candidates) {
    try {
      await git(['cat-file', '-e', `${rev}:${await repoPath(cwd, c)}`], cwd)
      out.push(c)
    } catch {
      // not present at that revision
    }
  }
  return out
}

export async function readFilesAtRevision(cwd: string, rev: string, files: string[]): Promise<BakeFileText[]> {
  const out: BakeFileText[] = []
  for (const f of files) {
    try {
      out.push({name: f, data: await git(['show', `${rev}:${await repoPath(cwd, f)}`], cwd)})
    } catch (err) {
      throw new UsageError(`cannot read ${f} at revision ${rev}: ${(err as Error).message}`, {fix: 'check the revision and that the file is tracked by git'})
    }
  }
  return out
}
