import {Args, Flags} from '../cli/oclif.js'
import {BakedoctorCommand} from '../base-command.js'
import {parseAssignments} from '../cli/flags.js'
import {EVENT_FORMATS, type EventFormat} from '../domain/events/stream-event.js'
import {KEEP_LOGS, type KeepLogs} from '../domain/model/run.js'
import type {IngestResult} from '../services/ingest.js'
import {pushFlags, pushRecorded} from '../cli/history-flags.js'
import type {PushResult} from '../domain/history/results.js'

export default class Ingest extends BakedoctorCommand<IngestResult & {history?: PushResult}> {
  static override summary = 'Record a build from its events (rawjson, Engine /build stream, .dockerbuild, plain log) into the index.'
  static override examples = [
    'docker buildx bake api --progress=rawjson 2> build.jsonl; <%= config.bin %> ingest build.jsonl --target api',
    '<%= config.bin %> ingest build.dockerbuild', 'cat build.jsonl | <%= config.bin %> ingest - --metadata metadata.json --label ci=github',
    '<%= config.bin %> ingest build.jsonl --provenance out/linux_amd64/provenance.json --provenance out/linux_arm64/provenance.json',
    'docker buildx bake api --print > plan.json; <%= config.bin %> ingest build.jsonl --plan plan.json',
  ]
  static override args = {file: Args.string({description: 'event file, or - for stdin', required: true})}
  static override flags = {
    format: Flags.string({description: 'input format (detected when omitted)', options: [...EVENT_FORMATS]}),
    target: Flags.string({description: 'bake target of a single-target stream (bake streams name their targets)'}),
    platform: Flags.string({description: 'platform of a single-platform build (e.g. linux/amd64) when neither its events nor its metadata file name it'}),
    dockerfile: Flags.string({description: 'the Dockerfile the build used: tells a build arg expanded into a step\'s text from an edit of the step, and gives each step its Dockerfile line (PR annotations; pass the path from the repository root)'}),
    metadata: Flags.string({description: 'the --metadata-file written by buildx/buildctl for this build'}),
    provenance: Flags.string({description: 'SLSA provenance of this build (in-toto statement, e.g. provenance.json of --attest type=provenance,mode=max); repeatable, one per platform', multiple: true}),
    'provenance-from': Flags.string({description: 'image in a registry (REF) whose attestation manifests hold this build\'s SLSA provenance'}),
    insecure: Flags.boolean({description: 'the --provenance-from registry may use plain HTTP (loopback only) or unverified TLS'}),
    label: Flags.string({description: 'label k=v (repeatable)', multiple: true}),
    'no-git': Flags.boolean({description: 'do not record the git commit and branch'}),
    'keep-logs': Flags.string({description: 'steps whose last output lines the index keeps: failed (failed or unfinished), all, none', options: [...KEEP_LOGS], default: 'failed'}),
    ...pushFlags,
    plan: Flags.string({description: 'the `docker buildx bake --print` JSON of this build: recorded as its plan, so `diff` and `plan diff` compare plans'}),
    again: Flags.boolean({description: 'record the input even if the same bytes were ingested before'}),
  }

  async run(): Promise<IngestResult & {history?: PushResult}> {
    const {args, flags} = await this.parse(Ingest)
    const result = await (await import('../services/ingest.js')).ingestFile({
      file: args.file, db: flags.db, cwd: process.cwd(), format: flags.format as EventFormat | undefined,
      target: flags.target, platform: flags.platform, dockerfile: flags.dockerfile, metadataFile: flags.metadata, provenanceFiles: flags.provenance, provenanceFrom: flags['provenance-from'], insecure: flags.insecure, labels: parseAssignments(flags.label, '--label'), git: !flags['no-git'],
      keepLogs: flags['keep-logs'] as KeepLogs, planFile: flags.plan, again: flags.again,
    })
    const {report, notes} = (await import('../output/ingest-text.js')).presentIngest(result, args.file)
    this.out(report)
    notes.forEach((n) => this.note(n))
    const history = await pushRecorded(flags, result.db, [result.run.id], (text) => this.out(text))
    return history ? {...result, history} : result
  }
}
