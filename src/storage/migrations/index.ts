import type { StoreMigration } from './helpers.js';
import { m0001 } from './0001_identity.js';

/**
 * Every migration, in order. Forward-only and immutable once released: add a new file, never edit
 * an old one. Names sort in execution order.
 */
export const MIGRATIONS: ReadonlyArray<readonly [string, StoreMigration]> = [
  ['0001_identity', m0001],
];
