// The one generator of large bake files: the benchmark and the resolver test (test/bake/generate-large.ts) use it.
/**
 * Generates a bake file with many targets in the style real repositories use (a `_common` base,
 * per-service targets with inherits, variables, functions, a matrix, groups). Used by the resolver
 * test and by the benchmark.
 */
export function generateLargeBakeFile(options = {}) {
  const n = options.targets ?? 1000
  const groupSize = options.groupSize ?? 50
  const matrixTargets = Math.min(4, n)
  const plain = n - matrixTargets
  const out = [
    'variable "REGISTRY" {',
    '  default = "registry.example.com/acme"',
    '}',
    'variable "TAG" {',
    '  default = "dev"',
    '}',
    'variable "CI" {',
    '  default = false',
    '}',
    'variable "PLATFORMS" {',
    '  type    = list(string)',
    '  default = ["linux/amd64", "linux/arm64"]',
    '}',
    'function "image" {',
    '  params = [name]',
    '  result = "${REGISTRY}/${name}:${TAG}"',
    '}',
    'function "cache" {',
    '  params = [name]',
    '  result = CI ? ["type=registry,ref=${REGISTRY}/cache:${name}"] : []',
    '}',
    'target "_common" {',
    '  context   = "."',
    '  platforms = PLATFORMS',
    '  labels = {',
    '    "org.opencontainers.image.source" = "https://example.com/acme/mono"',
    '  }',
    '}',
  ]
  const names = []
  for (let i = 0; i < plain; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`
    names.push(name)
    out.push(
      `target "${name}" {`,
      '  inherits   = ["_common"]',
      `  dockerfile = "services/${name}/Dockerfile"`,
      `  tags       = [image("${name}")]`,
      '  args = {',
      `    SERVICE = "${name}"`,
      `    INDEX   = ${i}`,
      `    SHARD   = "\${${i} % 8}"`,
      '  }',
      `  cache-from = cache("${name}")`,
      `  cache-to   = CI ? ["type=registry,ref=\${REGISTRY}/cache:${name},mode=max"] : []`,
      '}',
    )
  }
  if (matrixTargets > 0) {
    const versions = Array.from({length: matrixTargets}, (_, i) => `"1.${20 + i}"`).join(', ')
    out.push(
      'target "toolchain" {',
      '  inherits = ["_common"]',
      '  name     = "toolchain-${replace(v, ".", "-")}"',
      `  matrix   = { v = [${versions}] }`,
      '  args     = { GO_VERSION = v }',
      '  tags     = [image("toolchain-${v}")]',
      '}',
    )
  }
  const groups = []
  for (let g = 0; g * groupSize < names.length; g++) {
    const gname = `batch-${g}`
    groups.push(gname)
    out.push(`group "${gname}" {`, `  targets = [${names.slice(g * groupSize, (g + 1) * groupSize).map((x) => `"${x}"`).join(', ')}]`, '}')
  }
  out.push('group "default" {', `  targets = [${[...groups, ...(matrixTargets > 0 ? ['toolchain'] : [])].map((x) => `"${x}"`).join(', ')}]`, '}')
  return out.join('\n') + '\n'
}
