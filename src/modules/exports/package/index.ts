export type { Manifest, ManifestFile, PackagedFile } from './manifest.js';
export { DEFAULT_COMPRESSION_LEVEL, writeZip, type ZipOptions } from './zip.js';
