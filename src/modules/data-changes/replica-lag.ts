/**
 * Replica lag of a registered MySQL/MariaDB instance, for lock-free changes that wait while a
 * replica falls behind (DC_CHUNK `replicaInstanceId` / `maxReplicaLagSeconds`). Read with
 * `SHOW REPLICA STATUS` (MySQL 8.0.22+, MariaDB 10.5.1+), else `SHOW SLAVE STATUS`; the lag is
 * `Seconds_Behind_Source` (MySQL) or `Seconds_Behind_Master` (MariaDB), NULL while the SQL thread
 * does not run.
 */
import { TargetDbError } from '../../connectors/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';
import { connectionSpecOf, withConnector } from '../instances/connections.js';
import * as instanceRepo from '../instances/instance.repository.js';

export type ReplicaState = { kind: 'replica'; lagSeconds: number | null; sqlRunning: boolean } | { kind: 'not-a-replica' };

export async function replicaState(deps: Deps, tenantId: number, instanceId: number): Promise<ReplicaState & { name: string }> {
  const row = await instanceRepo.findInstanceById(deps.db, tenantId, instanceId);
  if (!row) throw new AppError('InvalidParam', `replicaInstanceId: there is no instance ${instanceId}.`);
  const name = `${row.host}:${row.port}`;
  if (row.db_type !== 'mysql' && row.db_type !== 'mariadb') throw new AppError('InvalidParam', `replicaInstanceId: instance ${instanceId} (${name}) is ${row.db_type}; replica lag is read from MySQL or MariaDB replicas.`);
  const spec = connectionSpecOf(deps, row);
  const status = await withConnector(deps, spec, async (c) => {
    const read = (sql: string) =>
      c.readOnlyQuery('information_schema', sql, { timeoutMs: 10_000 }, async (s) => {
        for await (const batch of s.batches) if (batch[0]) return Object.fromEntries(s.columns.map((col, i) => [col.name, batch[0]![i]]));
        return null;
      });
    try {
      return await read('SHOW REPLICA STATUS');
    } catch (e) {
      if (e instanceof TargetDbError && e.kind === 'sql') return read('SHOW SLAVE STATUS');
      throw e;
    }
  });
  if (!status) return { kind: 'not-a-replica', name };
  const lag = status.Seconds_Behind_Source ?? status.Seconds_Behind_Master ?? null;
  const sql = String(status.Replica_SQL_Running ?? status.Slave_SQL_Running ?? '');
  return { kind: 'replica', name, lagSeconds: lag === null ? null : Number(lag), sqlRunning: sql === 'Yes' };
}

/** Why a change must wait for the replica now; null when it may go on. */
export function lagReason(s: ReplicaState & { name: string }, maxSeconds: number): string | null {
  if (s.kind === 'not-a-replica') return `instance ${s.name} is not a replica any more (SHOW REPLICA STATUS is empty)`;
  if (!s.sqlRunning || s.lagSeconds === null) return `replication on ${s.name} is not running (its lag is unknown)`;
  if (s.lagSeconds > maxSeconds) return `replica ${s.name} is ${s.lagSeconds} s behind (the limit is ${maxSeconds} s)`;
  return null;
}
