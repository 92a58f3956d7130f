/**
 * Where JSON.parse gave up (Node 20's messages carry no position for most errors): the offset of
 * the first character a JSON grammar cannot accept. Called only after JSON.parse failed, on text
 * whose nesting is already bounded.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++
  }
  const fail = (): never => {
    throw i
  }
  const expect = (c: string) => (text[i] === c ? i++ : fail())
  const value = (): void => {
    ws()
    const c = text[i]
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++
      ws()
      if (text[i] === close) return void i++
      for (;;) {
        if (c === '{') {
          ws()
          string()
          ws()
          expect(':')
        }
        value()
        ws()
        if (text[i] === ',') i++
        else return void expect(close)
      }
    }
    if (c === '"') return string()
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400))
    if (!lit) fail()
    i += lit![0].length
  }
  const string = (): void => {
    expect('"')
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === 92) i++
      else if (c === 34) return void i++
      else if (c < 32) fail()
    }
    fail()
  }
  try {
    value()
    ws()
    return i < text.length ? i : Math.max(0, text.length - 1)
  } catch (at) {
    return typeof at === 'number' ? at : 0
  }
}

/**
 * The line where JSON text first nests deeper than `max` (strings skipped), or undefined. Checked
 * before JSON.parse: the parser copes with deep nesting, but every recursive walk over the value
 * afterwards would overflow the stack.
 */
export function jsonTooDeepAt(text: string, max: number): number | undefined {
  let depth = 0
  let line = 1
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) line++
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      if (++depth > max) return line
    } else if (c === 93 || c === 125) depth--
  }
  return undefined
}
