import {isSecretArg, Redactor} from '../redact/index.js'

/**
 * Provenance through the one redaction policy: build args sit in plain text in exec env and in the
 * request args. A secret value becomes its salted marker (two runs can still tell "changed" from
 * "same"), and its plaintext is collected so the index can scrub step names and logs of it too.
 */
export class ProvenanceRedactor {
  readonly secretValues: string[] = []
  private redactor: Redactor

  constructor(salt: string) {
    this.redactor = new Redactor({salt})
  }

  /** an ARG/ENV value */
  value(name: string, value: string): string {
    if (!isSecretArg(name, value)) return this.redactor.text(value)
    this.secretValues.push(value)
    // from now on the value is replaced wherever it appears (commands, Dockerfile lines)
    this.redactor = this.redactor.withKnown([value])
    return this.redactor.marker(value)
  }

  /** any other text (commands, Dockerfile lines, identifiers) */
  text(value: string): string {
    return this.redactor.text(value)
  }
}
