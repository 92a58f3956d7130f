import {Command, Flags, ux} from './cli/oclif.js'
import {BakedoctorError, exitCodeFor, renderError} from './errors.js'
import {redactOutput, redactOutputValue} from './lib/redact.js'

/**
 * Every bakedoctor command: `--json` owned here, errors rendered once here, exit codes decided here
 * (0 ok, 1 failed check / failed build / external failure, 2 usage or input error).
 */
export abstract class BakedoctorCommand<T> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    db: Flags.string({
      description: 'index file (default: .bakedoctor/index.db next to the bake file or in the current directory)',
      env: 'BAKEDOCTOR_DB',
      helpGroup: 'GLOBAL',
    }),
  }

  abstract override run(): Promise<T>

  /** Human output goes to stdout unless --json; secrets are never printed. */
  protected out(text: string): void {
    if (this.jsonEnabled()) return
    this.log(redactOutput(text))
  }

  /** Progress and notes go to stderr. */
  protected note(text: string): void {
    if (this.jsonEnabled()) return
    process.stderr.write(redactOutput(text) + '\n')
  }

  /**
   * oclif colourizes JSON even without a theme, which costs ~70 ms on a 2,400-step explanation:
   * print it plainly unless a JSON theme is configured.
   */
  override logJson(json: unknown): void {
    // every JSON document leaves through here: the one output redaction (lib/redact) applies to all
    const redacted = redactOutputValue(json)
    if (this.config.theme?.json) return super.logJson(redacted)
    ux.stdout(JSON.stringify(redacted, null, 2))
  }

  /**
   * Every error ends here: one JSON document with --json (the command's result when the error
   * carries one, e.g. a failed gate), else one sentence on stderr; the exit code comes from the
   * error's kind (src/domain/errors.ts EXIT_CODES).
   */
  protected override async catch(error: Error): Promise<unknown> {
    if (/^SQLITE_/.test(String((error as {code?: unknown}).code ?? ''))) {
      // a damaged page, a full disk, a read-only file met after the open: said in words, exit 2
      const {indexFault} = await import('./adapters/db/open.js')
      error = indexFault(undefined, error) ?? error
    }
    const code = exitCodeFor(error)
    const ours = error instanceof BakedoctorError ? error : undefined
    if (this.jsonEnabled()) {
      if (ours?.result !== undefined) this.logJson(this.toSuccessJson(ours.result as T))
      else this.logJson({error: {message: error.message, code, fix: ours?.fix, file: ours?.file, line: ours?.position?.line, offset: ours?.position?.offset}})
    } else if (!ours && (error as {oclif?: {exit?: number}}).oclif?.exit !== undefined) {
      // oclif's own parse errors (unknown flag, missing arg) carry exit 2 and render themselves,
      // quoting the argument: redacted like every other output
      error.message = redactOutput(error.message)
      return super.catch(error)
    } else if (!ours?.reported) {
      process.stderr.write(redactOutput(renderError(error)) + '\n')
    }
    process.exitCode = code
    return undefined
  }
}
