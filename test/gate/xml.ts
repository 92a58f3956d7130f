/**
 * A small, strict XML 1.0 well-formedness checker for the JUnit report (no xmllint on the test
 * machines, and no XML package in the tree). Throws on anything a conforming parser rejects that
 * our output could contain: bad names, unquoted or duplicate attributes, `<` in attribute values,
 * unknown or malformed entity references, mismatched or unclosed tags, text outside the root,
 * characters XML forbids, `]]>` in text. Returns the element tree with entities decoded.
 */
export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
  /** the concatenated character data directly inside this element */
  text: string
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/
const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u
const ENTITIES: Record<string, string> = {lt: '<', gt: '>', amp: '&', quot: '"', apos: "'"}

export function parseXml(src: string): XmlElement {
  let i = 0
  const fail = (why: string): never => {
    const line = src.slice(0, i).split('\n').length
    throw new Error(`not well-formed XML at line ${line}: ${why}`)
  }
  const bad = INVALID_CHAR.exec(src)
  if (bad) {
    i = bad.index
    fail(`forbidden character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')}`)
  }
  const skipSpace = () => {
    while (i < src.length && /[ \t\r\n]/.test(src[i]!)) i++
  }
  const decode = (raw: string, inAttr: boolean): string => {
    if (inAttr && raw.includes('<')) fail('"<" in an attribute value')
    return raw.replace(/&([^;&\s]*);?/g, (m, ref: string) => {
      if (!m.endsWith(';')) fail(`"&" not starting a reference: ${JSON.stringify(m)}`)
      if (ref in ENTITIES) return ENTITIES[ref]!
      const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref)
      if (!num) return fail(`unknown entity &${ref};`)
      const code = num[1] ? parseInt(num[1], 16) : Number(num[2])
      const ch = code <= 0x10ffff ? String.fromCodePoint(code) : ''
      if (!ch || INVALID_CHAR.test(ch)) fail(`character reference to a forbidden character &${ref};`)
      return ch
    })
  }
  const skipMisc = () => {
    for (;;) {
      skipSpace()
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4)
        if (end < 0) fail('unterminated comment')
        if (src.slice(i + 4, end).includes('--')) fail('"--" inside a comment')
        i = end + 3
      } else if (src.startsWith('<?', i)) {
        if (/^<\?xml[\s?]/i.test(src.slice(i, i + 6))) fail('XML declaration not at the very start')
        const end = src.indexOf('?>', i)
        if (end < 0) fail('unterminated processing instruction')
        i = end + 2
      } else return
    }
  }

  const parseElement = (): XmlElement => {
    if (src[i] !== '<') fail('expected an element')
    i++
    const name = NAME.exec(src.slice(i))?.[0] ?? fail('bad element name')
    i += name.length
    const el: XmlElement = {name, attrs: {}, children: [], text: ''}
    for (;;) {
      const before = i
      skipSpace()
      if (src.startsWith('/>', i)) {
        i += 2
        return el
      }
      if (src[i] === '>') {
        i++
        break
      }
      if (i === before) fail(`expected whitespace before an attribute of <${name}>`)
      const attr = NAME.exec(src.slice(i))?.[0] ?? fail(`bad attribute name in <${name}>`)
      i += attr.length
      skipSpace()
      if (src[i] !== '=') fail(`attribute ${attr} without a value`)
      i++
      skipSpace()
      const q = src[i]
      if (q !== '"' && q !== "'") fail(`attribute ${attr} value not quoted`)
      const end = src.indexOf(q!, i + 1)
      if (end < 0) fail(`unterminated value of ${attr}`)
      if (attr in el.attrs) fail(`duplicate attribute ${attr} in <${name}>`)
      el.attrs[attr] = decode(src.slice(i + 1, end), true)
      i = end + 1
    }
    for (;;) {
      if (i >= src.length) fail(`<${name}> is never closed`)
      if (src.startsWith('</', i)) {
        i += 2
        const close = NAME.exec(src.slice(i))?.[0] ?? fail('bad closing tag')
        if (close !== name) fail(`</${close}> closes <${name}>`)
        i += close.length
        skipSpace()
        if (src[i] !== '>') fail(`malformed </${close}>`)
        i++
        return el
      }
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4)
        if (end < 0) fail('unterminated comment')
        i = end + 3
      } else if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i)
        if (end < 0) fail('unterminated CDATA')
        el.text += src.slice(i + 9, end)
        i = end + 3
      } else if (src[i] === '<') {
        el.children.push(parseElement())
      } else {
        const next = src.indexOf('<', i)
        const raw = src.slice(i, next < 0 ? src.length : next)
        if (raw.includes(']]>')) fail('"]]>" in text')
        el.text += decode(raw, false)
        i += raw.length
      }
    }
  }

  if (src.charCodeAt(0) === 0xfeff) i = 1
  if (src.startsWith('<?xml', i)) {
    const end = src.indexOf('?>', i)
    if (end < 0) fail('unterminated XML declaration')
    if (!/^<\?xml\s+version=(["'])1\.[0-9]\1(\s+encoding=(["'])[A-Za-z][\w.-]*\3)?(\s+standalone=(["'])(yes|no)\5)?\s*$/.test(src.slice(i, end))) fail('malformed XML declaration')
    i = end + 2
  }
  skipMisc()
  const root = parseElement()
  skipMisc()
  if (i < src.length) fail('content after the root element')
  return root
}

/** All descendants named `name`, depth first. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)])
}
