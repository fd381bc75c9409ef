import type { Writable } from 'node:stream';

/** One file of an export zip, produced on demand when its turn comes. */
export interface PackagedFile {
  /** The entry's name in the zip (unique; not `manifest.json`). */
  name: string;
  /** The statement it holds the result of, for the manifest. */
  statement: string;
  /** Writes the whole file into `out` with back-pressure; must not end `out` (the zip does). */
  write(out: Writable): Promise<{ rows: number }>;
}

export interface ManifestFile {
  name: string;
  statement: string;
  rows: number;
  /** Size and SHA-256 (lowercase hex) of the file itself, as extracted from the zip. */
  bytes: number;
  sha256: string;
}

/** `manifest.json`, the zip's last entry. */
export interface Manifest {
  files: ManifestFile[];
  /** ISO 8601, UTC: when the zip was completed. */
  createdAt: string;
}

export const MANIFEST_NAME = 'manifest.json';
