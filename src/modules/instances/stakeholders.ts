import type { Deps } from '../context.js';
import * as repo from './instance.repository.js';
import * as logicRepo from './logic-db.repository.js';
import * as ownerRepo from './owner.repository.js';

/**
 * The people a ticket on these databases is routed to and visible for: the owners (of the
 * database, of its instance, and for a logical database of the logical database and its members)
 * and the DBAs of the instances involved. Ids ascending, without duplicates.
 */
export async function databaseStakeholders(
  deps: Deps,
  tenantId: number,
  targets: readonly { dbId: number; logic: boolean }[],
): Promise<{ owners: number[]; dbas: number[] }> {
  const logicIds = targets.filter((t) => t.logic).map((t) => t.dbId);
  const memberIds = logicIds.length ? (await logicRepo.listMembers(deps.db, logicIds)).map((m) => m.db_id) : [];
  const dbIds = [...new Set([...targets.filter((t) => !t.logic).map((t) => t.dbId), ...memberIds])];
  const dbs = dbIds.length ? await repo.findDbsByIds(deps.db, tenantId, dbIds) : [];
  const instanceIds = [...new Set(dbs.map((d) => d.instance_id))];
  const instances = instanceIds.length ? await repo.findInstancesByIds(deps.db, tenantId, instanceIds) : [];
  const owners = [
    ...(await ownerRepo.listOwners(deps.db, tenantId, 'LOGIC_DATABASE', logicIds)),
    ...(await ownerRepo.listOwners(deps.db, tenantId, 'DATABASE', dbIds)),
    ...(await ownerRepo.listOwners(deps.db, tenantId, 'INSTANCE', instanceIds)),
  ].map((o) => o.user_id);
  const sorted = (ids: number[]): number[] => [...new Set(ids)].sort((a, b) => a - b);
  return { owners: sorted(owners), dbas: sorted(instances.map((i) => i.dba_user_id)) };
}
