/**
 * Cutting text without leaving part of a secret behind (issue #13). A token cut in two is no longer
 * recognisable by its shape (`ghp_` + 16 characters is too short to be one, the 24 characters after
 * it have no prefix at all), and a `NPM_TOKEN=value` cut inside its name is no longer a secret name:
 * so whoever cuts a text (log tails, bounded lines) drops the word the cut went through.
 */

/** `text` whose beginning was cut off: its first word, possibly the rest of a token, replaced by `…`. */
export function afterCut(text: string): string {
  return text.replace(/^\S+/, '…')
}

/** The first `length` characters of `text` and `…` when it is longer, without a word cut at the end. */
export function beforeCut(text: string, length: number): string {
  if (text.length <= length) return text
  const head = text.slice(0, length)
  return (/\s/.test(text[length]!) ? head : head.replace(/\S+$/, '')) + '…'
}
