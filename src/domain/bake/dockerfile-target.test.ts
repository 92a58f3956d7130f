import {describe, expect, it} from 'vitest'
import {InputError} from '../errors.js'
import {dockerfileTarget} from './dockerfile-target.js'

const base = {context: '/p', dockerfile: '/p/Dockerfile'}

describe('--set on a Dockerfile build (one-target plan)', () => {
  it('applies patterned, glob and shorthand args the way bake does', () => {
    const t = dockerfileTarget('default', base, ['*.args.A=1', 'default.labels.team=x', 'args.B=2', '*.platform=linux/arm64', '*.tags=a:1', '*.tags+=a:2'], {})
    expect(t).toMatchObject({args: {A: '1', B: '2'}, labels: {team: 'x'}, platforms: ['linux/arm64'], tags: ['a:1', 'a:2'], context: '/p'})
  })

  it('takes args.NAME without a value from the environment, and passes the network on', () => {
    const t = dockerfileTarget('default', base, ['*.args.TOKEN', '*.network=host'], {TOKEN: 'from-env'})
    expect(t.args).toEqual({TOKEN: 'from-env'})
    expect(t.network).toBe('host')
  })

  it('rejects what such a build cannot use, and a pattern that names no target', () => {
    expect(() => dockerfileTarget('default', base, ['*.cache-to=type=inline'], {})).toThrow(/not supported without a bake file/)
    expect(() => dockerfileTarget('default', base, ['api.args.A=1'], {})).toThrow(InputError)
  })
})
