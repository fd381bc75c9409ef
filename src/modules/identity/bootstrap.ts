import { inTransaction, type Deps } from '../context.js';
import { createAccessKeyFor } from './access-keys.js';
import * as repo from './identity.repository.js';
import { formatRoles } from './roles.js';

export interface BootstrapResult {
  /** false when the store was bootstrapped before (nothing changed). */
  created: boolean;
  tenantId: number;
  userId: number;
  /** Only when a key was created now. */
  accessKey: { accessKeyId: string; accessKeySecret: string; generated: boolean } | undefined;
}

const MARKER = 'bootstrapped';

/**
 * First start: a tenant, its ADMIN (also the deployment's system administrator) and the admin's
 * AccessKey (the given pair, or a generated one). Later starts change nothing, keys included.
 * The marker row is inserted first, so two processes starting at once on one PostgreSQL store
 * cannot both bootstrap: the second blocks on the primary key, then fails and finds the marker.
 */
export async function bootstrap(
  deps: Deps,
  opts: { tenantName?: string; adminUid?: string; accessKey?: { accessKeyId: string; accessKeySecret: string } | undefined },
): Promise<BootstrapResult> {
  const existing = await repo.getSetting(deps.db, MARKER);
  if (existing) return { ...(JSON.parse(existing) as { tenantId: number; userId: number }), created: false, accessKey: undefined };
  try {
    return await inTransaction(deps, async (tx) => {
      const now = tx.now();
      await tx.db.insertInto('setting').values({ key: MARKER, value: '{}' }).execute();
      const tenantId = await repo.insertTenant(tx.db, opts.tenantName ?? 'default', now);
      const userId = await repo.insertUser(tx.db, { uid: opts.adminUid ?? 'admin', nickName: 'Administrator', isSysadmin: true, activeTenantId: tenantId }, now);
      await repo.insertMembership(tx.db, { tenantId, userId, roles: formatRoles(['ADMIN']) }, now);
      const key = await createAccessKeyFor(tx, userId, opts.accessKey);
      await repo.setSetting(tx.db, MARKER, JSON.stringify({ tenantId, userId }));
      return {
        created: true,
        tenantId,
        userId,
        accessKey: { accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret, generated: opts.accessKey === undefined },
      };
    });
  } catch (e) {
    const again = await repo.getSetting(deps.db, MARKER);
    if (again && again !== '{}') return { ...(JSON.parse(again) as { tenantId: number; userId: number }), created: false, accessKey: undefined };
    throw e;
  }
}
