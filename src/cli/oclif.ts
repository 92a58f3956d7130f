/**
 * The oclif entries the commands use, loaded with `require`: oclif is CommonJS, and an ESM `import`
 * of a CommonJS file makes Node re-read and lex it and every module it re-exports to find their
 * export names — on `explain` that was ~160 M instructions (~15 % of its start) for oclif's command,
 * flags, args and ux, which `require` loads once, without the lexing.
 */
import {createRequire} from 'node:module'
import type * as ArgsModule from '@oclif/core/args'
import type * as CommandModule from '@oclif/core/command'
import type * as FlagsModule from '@oclif/core/flags'
import type * as UxModule from '@oclif/core/ux'

const require = createRequire(import.meta.url)

export const Args = require('@oclif/core/args') as typeof ArgsModule
export const Flags = require('@oclif/core/flags') as typeof FlagsModule
export const {Command} = require('@oclif/core/command') as typeof CommandModule
export const {ux} = require('@oclif/core/ux') as typeof UxModule
