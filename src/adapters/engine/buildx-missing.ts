import {UsageError} from '../../errors.js'

/** What the docker CLI says when its buildx plugin is not installed (20.10: "'buildx' is not a docker command"). */
const NO_BUILDX = /is not a docker command|unknown command:? "?buildx|docker: 'buildx'/i

export const saysBuildxMissing = (stderr: string): boolean => NO_BUILDX.test(stderr)

/** `docker buildx` cannot run: a setup problem the user fixes (exit 2), not a bake-file error. */
export function buildxNotFound(detail: string): UsageError {
  return new UsageError(`docker buildx not found: ${detail}`, {
    fix: 'install the buildx plugin (Debian/Ubuntu: apt-get install docker-buildx; elsewhere see https://docs.docker.com/go/buildx/), or use --driver engine (build) / --source builtin (plan)',
  })
}
