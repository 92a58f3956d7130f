import {Args, Flags} from '../../cli/oclif.js'
import {BakedoctorCommand} from '../../base-command.js'
import {dockerConfigDir, registryFlags} from '../../cli/flags.js'
import type {CacheCheckResult} from '../../services/cache-check.js'
import type {CacheInspectResult} from '../../services/cache-inspect.js'
import {UsageError} from '../../errors.js'

export default class CacheInspect extends BakedoctorCommand<CacheInspectResult | CacheCheckResult> {
  static override summary = 'Inspect registry cache refs: layout, layers, records, export mode, platforms they can serve'
  static override description = `Reads each REF over the OCI distribution API (credentials from the docker config: DOCKER_CONFIG or ~/.docker/config.json,
including credsStore / credHelpers). A ref can be a registry cache (--cache-to type=registry) or an image with inline cache.
To tell which platforms a cache can serve, bakedoctor matches the per-platform root records of the build's base images:
pass them with --base (the FROM images); for inline caches the base recorded in the image is used.`

  static override examples = ['<%= config.bin %> cache inspect ghcr.io/acme/api:buildcache --base docker.io/library/alpine:3.20', '<%= config.bin %> cache inspect localhost:5000/app/cache:main --insecure --json']

  static override strict = false

  static override args = {ref: Args.string({description: 'cache ref(s): registry/repository:tag or @sha256:…; with --run, default: the run\'s cache-from refs'})}

  static override flags = {
    ...registryFlags,
    platform: Flags.string({description: 'platform to report on (os/arch[/variant]); repeatable', multiple: true}),
    base: Flags.string({description: 'base image of the build (FROM), used to match per-platform root records; repeatable', multiple: true}),
    run: Flags.string({description: 'a recorded run (r12, latest): tell per step whether each ref could have served it'}),
    'max-manifest-size': Flags.integer({description: 'largest manifest to read, bytes', default: 4 * 1024 * 1024, min: 1024}),
    'max-config-size': Flags.integer({description: 'largest cache/image config to read, bytes', default: 64 * 1024 * 1024, min: 1024}),
  }

  async run(): Promise<CacheInspectResult | CacheCheckResult> {
    const {argv, flags} = await this.parse(CacheInspect)
    if (flags.run) {
      const {checkRunCaches} = await import('../../services/cache-check.js')
      const check = await checkRunCaches({db: flags.db, cwd: process.cwd(), run: flags.run, refs: argv as string[], bases: flags.base, insecure: flags.insecure, caFile: flags['ca-file'], dockerConfigDir: dockerConfigDir(), env: process.env})
      const {renderCacheInspectText, renderRunCacheCheck} = await import('../../output/cache-text.js')
      this.out(`${renderCacheInspectText(check.caches)}\n\n${renderRunCacheCheck(check)}`)
      return check
    }
    if (argv.length === 0) throw new UsageError('no cache ref given', {fix: 'bakedoctor cache inspect REF…, or --run RUN to check the run\'s own cache refs'})
    const {inspectCacheRefs} = await import('../../services/cache-inspect.js')
    const result = await inspectCacheRefs({
      refs: argv as string[], insecure: flags.insecure, caFile: flags['ca-file'], platforms: flags.platform, bases: flags.base, dockerConfigDir: dockerConfigDir(), env: process.env,
      limits: {manifestBytes: flags['max-manifest-size'], configBytes: flags['max-config-size']},
    })
    if (this.jsonEnabled()) return result // the text of 100 refs is not rendered only to be dropped
    this.out((await import('../../output/cache-text.js')).renderCacheInspectText(result.caches))
    return result
  }
}
