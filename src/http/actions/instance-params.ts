import { invalidParam } from '../../errors.js';
import { ENV_TYPES } from '../../modules/instances/instance.model.js';
import { p } from '../rpc/schema.js';

/** Parameters shared by the instance, database, logical-database and owner Actions. */

export const pageParams = {
  PageNumber: p.integer('1-based page number.').range(1, undefined).default(1),
  PageSize: p.integer('Rows per page (1-100).').range(1, 100).default(10),
};

export const envTypeParam = (description: string) => p.enum(ENV_TYPES, `${description} One of ${ENV_TYPES.join(', ')} (any case).`, true);

export const dbTypeParam = p.string('Database engine code, any case. OpenDMS supports mysql, mariadb, postgresql, sqlite.');

/**
 * A DMS id sent as text (InstanceId, DatabaseId, TableId, ResourceId, …): decimal digits. Others
 * are a business error naming the parameter, as DMS reports them.
 */
export function parseId(name: string, text: string): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(n)) throw invalidParam(name, `"${text.slice(0, 64)}" is not a DMS id.`);
  return n;
}

export function parseIds(name: string, items: readonly string[]): number[] {
  return items.map((s) => parseId(name, s));
}
