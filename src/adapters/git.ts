import {execFile} from 'node:child_process'
import {readHeadFromFiles} from './git-head.js'

function git(args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, {cwd, timeout: 5000}, (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined))
  })
}

/**
 * The commit and branch a run belongs to. CI checkouts are often detached, so the CI's own
 * variables win over `git rev-parse --abbrev-ref` (which says `HEAD` there).
 */
export async function readGitInfo(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{commit?: string; branch?: string} | undefined> {
  const envBranch = env.BAKEDOCTOR_BRANCH || env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.CI_COMMIT_REF_NAME || env.BUILDKITE_BRANCH || undefined
  const envCommit = env.BAKEDOCTOR_COMMIT || env.GITHUB_SHA || env.CI_COMMIT_SHA || undefined
  // the repository's files answer the plain cases, git itself the rest (both see process.env)
  const files = envCommit && envBranch ? undefined : readHeadFromFiles(cwd, process.env)
  const commit = envCommit ?? (files ? files.commit : await git(['rev-parse', 'HEAD'], cwd))
  let branch = envBranch ?? (files ? files.branch : await git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd))
  if (branch === 'HEAD') branch = undefined
  if (!commit && !branch) return undefined
  return {commit, branch}
}
