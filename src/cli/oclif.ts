/**
 * The oclif entries the commands use. After `npm run build` they come from dist/oclif.cjs, oclif
 * bundled into one file (scripts/bundle-oclif.mjs), the same file bin/run.js starts from: one oclif,
 * loaded once. Without a build (vitest on src/) from the packages. Loaded with `require` either way:
 * oclif is CommonJS, and an ESM `import` of it makes Node lex every file for its export names.
 */
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import type * as ArgsModule from '@oclif/core/args'
import type * as CommandModule from '@oclif/core/command'
import type * as FlagsModule from '@oclif/core/flags'
import type * as UxModule from '@oclif/core/ux'

interface OclifEntries {
  Args: typeof ArgsModule
  Flags: typeof FlagsModule
  Command: typeof CommandModule.Command
  ux: typeof UxModule.ux
}

const require = createRequire(import.meta.url)
// src/cli/ and dist/cli/ both sit two levels below the package root
const bundle = fileURLToPath(new URL('../../dist/oclif.cjs', import.meta.url))

const oclif: OclifEntries = existsSync(bundle)
  ? (require(bundle) as OclifEntries)
  : {
      Args: require('@oclif/core/args') as typeof ArgsModule,
      Flags: require('@oclif/core/flags') as typeof FlagsModule,
      Command: (require('@oclif/core/command') as typeof CommandModule).Command,
      ux: (require('@oclif/core/ux') as typeof UxModule).ux,
    }

export const {Args, Flags, Command, ux} = oclif
