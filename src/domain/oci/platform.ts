/** An OCI platform, normalised the containerd way (cache.md §3: `arm64/v8` → `arm64`, `arm` → `arm/v7`). */
export interface Platform {
  os: string
  architecture: string
  variant?: string
}

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386',
}

/** containerd `platforms.Normalize`: what BuildKit hashes into image root keys. */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase()
  let architecture = p.architecture.toLowerCase()
  architecture = ARCH_ALIASES[architecture] ?? architecture
  let variant = p.variant?.toLowerCase() || undefined
  if (architecture === 'arm64') {
    if (variant === 'v8' || variant === '8') variant = undefined
  } else if (architecture === 'arm') {
    if (!variant || variant === '7') variant = 'v7'
    else if (variant === '5' || variant === '6' || variant === '8') variant = 'v' + variant
  } else if (architecture === 'amd64') {
    if (variant === 'v1') variant = undefined
  }
  return variant ? {os, architecture, variant} : {os, architecture}
}

/** `linux/arm64`, `linux/arm/v7`, or undefined when the text is not a platform. `linux` alone is not accepted. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) return undefined
  const [os, architecture, variant] = parts as [string, string, string | undefined]
  return normalizePlatform({os, architecture, variant})
}

export function formatPlatform(p: Platform): string {
  const n = normalizePlatform(p)
  return n.variant ? `${n.os}/${n.architecture}/${n.variant}` : `${n.os}/${n.architecture}`
}

/** Platforms tried against a known base digest when the caller names none (r0 needs only digest + platform). */
export const COMMON_PLATFORMS: readonly string[] = [
  'linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/arm/v6', 'linux/386', 'linux/ppc64le', 'linux/s390x',
  'linux/riscv64', 'linux/mips64le', 'linux/amd64/v2', 'linux/amd64/v3', 'windows/amd64',
]
