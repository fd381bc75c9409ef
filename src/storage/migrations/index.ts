import type { StoreMigration } from './helpers.js';
import { m0001 } from './0001_identity.js';
import { m0002 } from './0002_jobs.js';
import { m0003 } from './0003_instances.js';

/**
 * Every migration, in order. Forward-only and immutable once released: add a new file, never edit
 * an old one. Names sort in execution order.
 */
export const MIGRATIONS: ReadonlyArray<readonly [string, StoreMigration]> = [
  ['0001_identity', m0001],
  ['0002_jobs', m0002],
  ['0003_instances', m0003],
];
