/** The server version from `select version()`, for rules whose answer depends on it. */
import type { Engine } from '../../../connectors/connector.js';

export interface ServerVersion {
  major: number;
  minor: number;
  patch: number;
}

/**
 * `8.0.36`, `8.0.36-0ubuntu0.22.04.1`, `10.11.6-MariaDB-1:10.11.6+maria~ubu2204`,
 * `5.5.5-10.6.12-MariaDB` (the prefix old clients need), `PostgreSQL 16.2 on x86_64-pc-linux-gnu, …`,
 * `16.2`, `3.45.1`; null when absent or unreadable.
 */
export function parseServerVersion(text: string | null | undefined, engine: Engine): ServerVersion | null {
  if (!text) return null;
  let t = text.trim();
  if (engine === 'mariadb') t = t.replace(/^5\.5\.5-/, '');
  if (engine === 'postgresql') t = t.replace(/^PostgreSQL\s+/i, '');
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(t);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0) };
}

/** `v` is at least `major.minor.patch`; null when `v` is unknown. */
export function atLeast(v: ServerVersion | null, major: number, minor = 0, patch = 0): boolean | null {
  if (!v) return null;
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}
