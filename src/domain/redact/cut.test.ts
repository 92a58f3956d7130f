import {describe, expect, it} from 'vitest'
import {afterCut, beforeCut} from './cut.js'

const TOKEN = 'ghp_' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAB7C'

describe('cutting text without leaving part of a secret', () => {
  it('afterCut drops the first word (the rest of a token whose start was cut) and keeps the rest', () => {
    expect(afterCut(`${TOKEN.slice(20)} and the rest`)).toBe('… and the rest')
    expect(afterCut(' whole words')).toBe(' whole words')
    expect(afterCut(`OKEN=${TOKEN.slice(4)}`)).toBe('…')
  })

  it('beforeCut keeps whole words only', () => {
    expect(beforeCut(`using ${TOKEN} now`, 20)).toBe('using …')
    expect(beforeCut(`using ${TOKEN} now`, 6 + TOKEN.length)).toBe(`using ${TOKEN}…`)
    expect(beforeCut('short', 20)).toBe('short')
    expect(beforeCut('x'.repeat(30), 20)).toBe('…')
  })
})
