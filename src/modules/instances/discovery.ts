import type { ConnectionSpec, DatabaseInfo, Engine } from '../../connectors/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';
import { withConnector } from './connections.js';
import * as repo from './instance.repository.js';

/**
 * Discovery: which databases an instance has (MySQL/MariaDB schemas, PostgreSQL databases, the
 * SQLite file's `main`). Each gets a stable DbId; one that disappears is kept as NOT_EXIST (its id,
 * owners and logical-database membership survive) and becomes NORMAL again when it comes back.
 */

/**
 * Tests the connection and lists the databases. With `skipTest`, an unreachable instance is not an
 * error: the result is undefined and the instance is registered without databases until the next
 * discovery (SyncInstanceMeta, UpdateInstance).
 */
export async function probeInstance(deps: Deps, spec: ConnectionSpec, skipTest: boolean): Promise<DatabaseInfo[] | undefined> {
  try {
    return await withConnector(deps, spec, async (c) => {
      await c.test();
      return c.listDatabases();
    });
  } catch (e) {
    // withConnector turned target failures into AppErrors; anything else is a bug, never skipped.
    if (skipTest && e instanceof AppError) return undefined;
    throw e;
  }
}

/** MySQL-like engines report the catalog `def`; elsewhere the catalog is the database itself. */
function catalogOf(engine: Engine, name: string): string {
  return engine === 'mysql' || engine === 'mariadb' ? 'def' : name;
}

/** Records what a discovery found; `tx` should be a transaction. Returns the number of new databases. */
export async function applyDiscovery(
  tx: Deps,
  instance: { id: number; tenant_id: number; db_type: string; env_type: string },
  found: readonly DatabaseInfo[],
): Promise<number> {
  const now = tx.now();
  const existing = new Map((await repo.listDbsOfInstance(tx.db, instance.id)).map((d) => [d.schema_name, d]));
  let added = 0;
  for (const info of found) {
    const known = existing.get(info.name);
    existing.delete(info.name);
    if (known) {
      if (known.state !== 'NORMAL' || known.encoding !== info.encoding) {
        await repo.updateDb(tx.db, known.id, { state: 'NORMAL', encoding: info.encoding, updated_at: now });
      }
      continue;
    }
    await repo.insertDb(tx.db, {
      tenant_id: instance.tenant_id,
      instance_id: instance.id,
      schema_name: info.name,
      catalog_name: catalogOf(instance.db_type as Engine, info.name),
      encoding: info.encoding,
      env_type: instance.env_type,
      state: 'NORMAL',
      created_at: now,
      updated_at: now,
    });
    added++;
  }
  for (const gone of existing.values()) {
    if (gone.state !== 'NOT_EXIST') await repo.updateDb(tx.db, gone.id, { state: 'NOT_EXIST', updated_at: now });
  }
  return added;
}
