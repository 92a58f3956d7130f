/** Media types bakedoctor reads (cache.md §2.3; OCI image-spec; Docker distribution). */
export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  cacheConfig: 'application/vnd.buildkit.cacheconfig.v0',
  ociImageConfig: 'application/vnd.oci.image.config.v1+json',
  dockerImageConfig: 'application/vnd.docker.container.image.v1+json',
} as const

/** The `Accept` header for manifest requests: every manifest kind a cache ref or a base image can be. */
export const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.dockerManifestList,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifest,
].join(', ')

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerManifestList
}

export function isImageManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaTypes.ociManifest || mediaType === MediaTypes.dockerManifest
}
