import path from 'node:path';
import { createShopDatabase } from '../../demo/shop-db.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';
import { resolveActor } from '../identity/authentication.js';
import { deleteSetting, insertSettingIfAbsent, setSetting } from '../identity/identity.repository.js';
import { registerInstance } from './instances.js';

/** Setting row marking that the demo database was registered (its value: the InstanceId). */
const MARKER = 'demo_instance_registered';
export const DEMO_ALIAS = 'demo-shop';
/** DMS defaults for a new instance: 60 s per query, 10 min per export. */
const DEMO_QUERY_TIMEOUT_S = 60;
const DEMO_EXPORT_TIMEOUT_S = 600;

/**
 * `serve --demo`: builds the shop database at `<sqliteInstanceDir>/shop.db` and registers it, once,
 * as a `sqlite` instance in env `dev` with the admin as DBA, so a new user can file an export
 * ticket in the first minute. Later starts change nothing, also after the instance was deleted.
 * The marker is claimed before registering, so processes starting together on one PostgreSQL store
 * (each with its own data dir, hence its own demo file) register it only once.
 */
export async function registerDemoDatabase(
  deps: Deps,
  opts: { tenantId: number; adminUserId: number },
): Promise<{ registered: boolean; instanceId: number | undefined }> {
  if (!(await insertSettingIfAbsent(deps.db, MARKER, 'pending'))) return { registered: false, instanceId: undefined };
  const file = path.join(deps.config.sqliteInstanceDir, 'shop.db');
  createShopDatabase(file);
  const admin = await resolveActor(deps, opts.adminUserId, opts.tenantId);
  let instanceId: number | undefined;
  try {
    const instance = await registerInstance(deps, admin, {
      engine: 'sqlite',
      host: file,
      alias: DEMO_ALIAS,
      source: 'PUBLIC_OWN',
      envType: 'dev',
      dba: { userId: opts.adminUserId },
      queryTimeoutSeconds: DEMO_QUERY_TIMEOUT_S,
      exportTimeoutSeconds: DEMO_EXPORT_TIMEOUT_S,
    });
    instanceId = instance.instanceId;
  } catch (e) {
    // An instance on that file exists already (registered by hand): keep it. Otherwise release the
    // claim so a later start tries again.
    if (!(e instanceof AppError && e.code === 'ResourceAlreadyExists')) {
      await deleteSetting(deps.db, MARKER);
      throw e;
    }
  }
  await setSetting(deps.db, MARKER, String(instanceId ?? 'existing'));
  return { registered: instanceId !== undefined, instanceId };
}
