/**
 * Whether a command may render the interactive Ink view. Kept free of ink/react so commands can ask
 * without paying ink's ~330 ms import.
 */

/** The bits of a stream the decision needs (process.stdout / process.stdin satisfy it). */
export interface TtyLike {
  isTTY?: boolean
  columns?: number
}

export interface TuiOptions {
  /** `--json` was passed: JSON wins over any rendering */
  json?: boolean
  /** environment to check for CI (default: process.env) */
  env?: Record<string, string | undefined>
  /** when given, it must be a TTY too (ink needs raw mode to read keys) */
  stdin?: TtyLike
}

/**
 * True only when stdout is a terminal with a real width, `--json` is off, and we are not in CI.
 *
 * - A pty with 0 columns (`script -qc`, some `docker run -t`) reports `isTTY=true, columns=0`; ink
 *   would wrap every character onto its own line, so it counts as non-interactive.
 * - CI is detected the way ink's `is-in-ci` does it (`CI` / `CONTINUOUS_INTEGRATION` set to anything
 *   but `0`/`false`): there ink writes only the final frame, which makes an interactive view useless.
 *
 * @example
 * shouldUseTui(process.stdout, {json: flags.json, stdin: process.stdin}) // false on a pipe
 */
export function shouldUseTui(stdout: TtyLike, options: TuiOptions = {}): boolean {
  if (options.json) return false
  if (stdout.isTTY !== true) return false
  if (!(typeof stdout.columns === 'number' && stdout.columns > 0)) return false
  if (options.stdin && options.stdin.isTTY !== true) return false
  const env = options.env ?? process.env
  if (isCi(env)) return false
  return true
}

function isCi(env: Record<string, string | undefined>): boolean {
  const set = (name: string) => {
    const v = env[name]
    return v !== undefined && v !== '0' && v !== 'false'
  }
  return set('CI') || set('CONTINUOUS_INTEGRATION')
}

/**
 * The width text reports fit (`runs`, `show`, `diff`): the terminal's columns when stdout is a
 * terminal with a real width; undefined on a pipe (and a 0-column pty), where nothing is cut.
 */
export function terminalWidth(stdout: TtyLike): number | undefined {
  return stdout.isTTY === true && typeof stdout.columns === 'number' && stdout.columns > 0 ? stdout.columns : undefined
}
