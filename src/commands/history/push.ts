import {Flags} from '../../cli/oclif.js'
import {BakedoctorCommand} from '../../base-command.js'
import type {PushResult} from '../../services/history.js'
import {connectionFlags, connectionOf, filterFlags, filterOf, historyArgs} from '../../cli/history-flags.js'

export default class HistoryPush extends BakedoctorCommand<PushResult> {
  static override summary = 'Push recorded runs to the team history in a registry (one OCI artifact per run, tagged by its global id).'

  static override description = `Every selected run the repository does not hold yet is pushed as its own artifact, tagged by the run's
global id, so parallel CI jobs never overwrite each other and a run pushed twice is stored once. The record
pushed is what the index stores (secrets already masked). Credentials come from the docker config
(DOCKER_CONFIG or ~/.docker/config.json, including credsStore / credHelpers).`

  static override examples = [
    '<%= config.bin %> history push ghcr.io/acme/shop/bakedoctor-history',
    'BAKEDOCTOR_HISTORY=ghcr.io/acme/shop/bakedoctor-history <%= config.bin %> history push --run latest',
  ]

  static override args = historyArgs

  static override flags = {
    ...connectionFlags,
    ...filterFlags,
    run: Flags.string({description: 'push only this run (r12, latest, a global id); repeatable', multiple: true}),
  }

  async run(): Promise<PushResult> {
    const {args, flags} = await this.parse(HistoryPush)
    const {pushHistory} = await import('../../services/history.js')
    const result = await pushHistory({...(await connectionOf(args.ref, flags)), ...(await filterOf(flags)), runs: flags.run})
    const {renderPushResult} = await import('../../output/history-text.js')
    this.out(renderPushResult(result))
    return result
  }
}
