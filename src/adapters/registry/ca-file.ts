import {readFile} from 'node:fs/promises'
import {UsageError} from '../../errors.js'

/** `--ca-file`: PEM certificates to trust for a registry, in addition to the system roots. */
export async function readCaFile(file: string): Promise<Buffer> {
  let pem: Buffer
  try {
    pem = await readFile(file)
  } catch (error) {
    throw new UsageError(`cannot read the CA file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {fix: 'pass a PEM file with --ca-file'})
  }
  if (!pem.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`the CA file ${file} holds no PEM certificate`, {fix: 'pass a PEM file with --ca-file'})
  return pem
}
