import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {InputError} from '../../domain/errors.js'
import {parseConfigText} from '../../domain/gate/config.js'
import type {LoadedConfig} from '../../domain/gate/types.js'

export const CONFIG_FILE_NAME = 'bakedoctor.config.json'

/**
 * Finds and reads the gate's config: `--config FILE` when given (it must exist and, for a
 * package.json, have a `bakedoctor` key), else the nearest `bakedoctor.config.json`, or a
 * package.json with a `bakedoctor` key, from `cwd` upward. In one directory the dedicated file wins.
 * Returns undefined when there is none. Validation (unknown keys, bad values) is the domain's.
 */
export async function loadGateConfig(options: {cwd: string; file?: string}): Promise<LoadedConfig | undefined> {
  if (options.file) {
    const file = path.resolve(options.cwd, options.file)
    if (!existsSync(file)) {
      throw new InputError('config file not found', {file, fix: `create it (e.g. {"gate": {"minHitRate": 80}}) or drop --config to use the nearest ${CONFIG_FILE_NAME}`})
    }
    const isPackageJson = path.basename(file) === 'package.json'
    const loaded = parseConfigText(await read(file), file, {packageJson: isPackageJson})
    if (!loaded) throw new InputError('has no "bakedoctor" key', {file, fix: 'add "bakedoctor": {"gate": {"minHitRate": 80}} to it, or point --config at a bakedoctor.config.json'})
    return loaded
  }
  let dir = path.resolve(options.cwd)
  for (;;) {
    const dedicated = path.join(dir, CONFIG_FILE_NAME)
    if (existsSync(dedicated)) return parseConfigText(await read(dedicated), dedicated)
    const pkg = path.join(dir, 'package.json')
    if (existsSync(pkg)) {
      const loaded = parseConfigText(await read(pkg), pkg, {packageJson: true})
      if (loaded) return loaded
    }
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

async function read(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError(`cannot read the config file: ${(error as Error).message}`, {file, fix: 'check that the file is readable, or point --config at another file'})
  }
}
