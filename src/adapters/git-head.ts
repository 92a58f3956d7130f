import {lstatSync, readFileSync, statSync, type Stats} from 'node:fs'
import path from 'node:path'

/**
 * What `git rev-parse HEAD` and `git rev-parse --abbrev-ref HEAD` would say, read from the
 * repository's files (HEAD, loose refs, packed-refs) instead of starting two git processes (~10 ms
 * of the main thread each time `ingest` runs). Only the plain cases are answered: a repository found
 * from `cwd` the way git finds it, owned by this user, files-backend refs, HEAD on a branch with a
 * commit (or detached), and a branch name no other ref makes ambiguous. Anything else is
 * `undefined`: the caller asks git itself.
 */
export function readHeadFromFiles(cwd: string, env: NodeJS.ProcessEnv = process.env): {commit: string; branch?: string} | undefined {
  try {
    if (GIT_ENV.some((name) => env[name] !== undefined)) return undefined
    const repo = findRepository(path.resolve(cwd))
    if (!repo) return undefined
    const head = lstatSync(path.join(repo.gitDir, 'HEAD'))
    if (!head.isFile()) return undefined
    const text = readFileSync(path.join(repo.gitDir, 'HEAD'), 'utf8').trim()
    if (OBJECT_ID.test(text)) return {commit: text}
    const ref = /^ref: (refs\/heads\/\S+)$/.exec(text)?.[1]
    if (!ref) return undefined
    const refs = new Refs(repo.gitDir, repo.commonDir)
    const commit = refs.resolve(ref)
    const branch = ref.slice('refs/heads/'.length)
    // `--abbrev-ref` says `heads/x` when `x` also names another ref (a tag, a remote, a file in .git)
    if (!commit || AMBIGUOUS.some((rule) => refs.exists(rule(branch)))) return undefined
    return {commit, branch}
  } catch {
    return undefined
  }
}

/** variables that change where or how git finds the repository */
const GIT_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM', 'GIT_NAMESPACE', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT']

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

/** the other refs git's rev-parse rules try for a short name (refs.c `ref_rev_parse_rules`) */
const AMBIGUOUS: ((name: string) => string)[] = [(n) => n, (n) => `refs/${n}`, (n) => `refs/tags/${n}`, (n) => `refs/remotes/${n}`, (n) => `refs/remotes/${n}/HEAD`]

/**
 * The repository of `dir` as git's discovery finds it: the nearest `.git` directory or gitfile
 * walking up, not across a file system boundary. Undefined (ask git) for anything else: no `.git`
 * up to the boundary (git may still find a bare repository there), a `.git` that is not a
 * repository (git would skip it), reftable refs, or a repository owned by another user (git's
 * `safe.directory` check then decides).
 */
function findRepository(start: string): {gitDir: string; commonDir: string} | undefined {
  let dir = start
  let device = statSync(dir).dev
  for (;;) {
    const dotGit = path.join(dir, '.git')
    const st = statOrUndefined(dotGit)
    if (st) {
      let gitDir = dotGit
      if (st.isFile()) {
        const target = /^gitdir: (.+)$/.exec(readFileSync(dotGit, 'utf8').trim())?.[1]
        if (!target) return undefined
        gitDir = path.resolve(dir, target)
      } else if (!st.isDirectory()) return undefined
      const common = statOrUndefined(path.join(gitDir, 'commondir')) ? path.resolve(gitDir, readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim()) : gitDir
      const owned = [dir, gitDir, common].every((p) => statSync(p).uid === process.geteuid?.())
      const isRepository = statOrUndefined(path.join(gitDir, 'HEAD'))?.isFile() && statOrUndefined(path.join(common, 'objects'))?.isDirectory() && statOrUndefined(path.join(common, 'refs'))?.isDirectory()
      if (!owned || !isRepository || statOrUndefined(path.join(common, 'reftable'))) return undefined
      return {gitDir, commonDir: common}
    }
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    const parentDevice = statSync(parent).dev
    if (parentDevice !== device) return undefined
    device = parentDevice
    dir = parent
  }
}

/** Loose and packed refs of a files-backend repository. */
class Refs {
  private packed?: Map<string, string>

  constructor(private readonly gitDir: string, private readonly commonDir: string) {}

  /** the object id a branch ref points at; undefined when it does not exist (unborn) or is not a plain id */
  resolve(ref: string): string | undefined {
    const loose = statOrUndefined(path.join(this.commonDir, ref))
    if (loose?.isFile()) {
      const id = readFileSync(path.join(this.commonDir, ref), 'utf8').trim()
      return OBJECT_ID.test(id) ? id : undefined
    }
    return this.packedRefs().get(ref)
  }

  exists(ref: string): boolean {
    // pseudo-refs and top-level names live in the worktree's git dir or the common one
    const places = ref.startsWith('refs/') ? [this.commonDir] : [this.gitDir, this.commonDir]
    return places.some((dir) => statOrUndefined(path.join(dir, ref))?.isFile() === true) || this.packedRefs().has(ref)
  }

  private packedRefs(): Map<string, string> {
    if (this.packed) return this.packed
    this.packed = new Map()
    const file = path.join(this.commonDir, 'packed-refs')
    if (!statOrUndefined(file)) return this.packed
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^([0-9a-f]{40}|[0-9a-f]{64}) (\S+)$/.exec(line)
      if (m) this.packed.set(m[2]!, m[1]!)
    }
    return this.packed
  }
}

function statOrUndefined(file: string): Stats | undefined {
  return statSync(file, {throwIfNoEntry: false})
}
