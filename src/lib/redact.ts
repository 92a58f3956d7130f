/**
 * Last line of defence against leaking credentials into output: known secret values registered at
 * run time (registry passwords, secret build-arg values) are replaced wherever they appear.
 * The first line of defence is never putting them into results at all.
 */
const knownSecrets = new Set<string>()

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) knownSecrets.add(value)
}

export function redactSecrets(text: string): string {
  let out = text
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join('***')
  }
  return out
}

/** Names of build args / env vars whose values must never be stored or shown (design.md §3). */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASS$|PWD$|KEY|CREDENTIAL|AUTH|PRIVATE|CERT|SESSION|COOKIE)/i

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}
