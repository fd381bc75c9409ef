/**
 * What a publish would do on a database: which of the design's changes it already has and which
 * it needs, decided from the database's own catalog (never from what OpenDMS believes it ran):
 * - the base database: the changes that have not run there yet; its touched tables must still be
 *   as the last change left them (nobody changed them by hand in between);
 * - another database: the largest k such that its touched tables look exactly like the base's
 *   tables after change k (snapshots taken on the base as each change ran); changes k+1… remain.
 *   When no k fits, the database drifted: the publish is refused with the differences.
 */
import { AppError } from '../../errors.js';
import type { Connector } from '../../connectors/index.js';
import type { Deps } from '../context.js';
import { withConnector } from '../instances/connections.js';
import type { TargetDatabase } from '../instances/owners.js';
import * as repo from './design.repository.js';
import type { ChangeRow } from './design.repository.js';
import { databaseOf } from './design.js';
import { ABSENT, differences, readTableState, tableKey, type TableState } from './schema-state.js';

export interface PublishPlan {
  /** The changes to run, in order. */
  pending: ChangeRow[];
  /** Already on the database (skipped). */
  applied: ChangeRow[];
}

/** The base's state of each touched table after change k (k = 0: before any). */
export class Snapshots {
  private readonly byTable = new Map<string, { position: number; state: TableState }[]>();

  constructor(
    private readonly engine: Connector['engine'],
    rows: readonly { position: number; table_name: string; state: string }[],
  ) {
    for (const r of rows) {
      const k = tableKey(engine, r.table_name);
      const list = this.byTable.get(k) ?? [];
      list.push({ position: r.position, state: JSON.parse(r.state) as TableState });
      this.byTable.set(k, list);
    }
    for (const list of this.byTable.values()) list.sort((a, b) => a.position - b.position);
  }

  /** The table after change k; undefined when the base never saw the table touched. */
  at(table: string, k: number): TableState | undefined {
    const list = this.byTable.get(tableKey(this.engine, table));
    if (!list) return undefined;
    let found: TableState | undefined;
    for (const s of list) if (s.position <= k) found = s.state;
    return found ?? ABSENT;
  }
}

const touched = (changes: readonly ChangeRow[]): string[] => [...new Set(changes.flatMap((c) => JSON.parse(c.tables) as string[]))];

export async function planPublish(deps: Deps, projectId: number, target: TargetDatabase, isBase: boolean): Promise<PublishPlan> {
  const changes = await repo.listChanges(deps.db, projectId);
  if (changes.length === 0) throw new AppError('InvalidStatus', 'The design has no changes to publish (AddTableDesignChange records them).');
  const snapshots = new Snapshots(target.engine, await repo.listSnapshots(deps.db, projectId));
  return withConnector(deps, target.spec, async (c) => {
    const states = new Map<string, TableState>();
    for (const t of touched(changes)) states.set(t, await readTableState(c, databaseOf(target), t));
    if (isBase) {
      const applied = changes.filter((ch) => ch.applied_to_base === 1);
      const last = applied.length > 0 ? applied[applied.length - 1]!.position : 0;
      const drift = compare(states, snapshots, last, true);
      if (drift.length > 0) throw driftError(target, drift);
      return { applied, pending: changes.filter((ch) => ch.applied_to_base === 0) };
    }
    const unapplied = changes.filter((ch) => ch.applied_to_base === 0);
    if (unapplied.length > 0) throw new AppError('InvalidStatus', `Change ${unapplied[0]!.position} has not run on the base database yet: publish the design stage first.`);
    let best: { k: number; diff: string[] } | null = null;
    for (let k = changes.length; k >= 0; k--) {
      const diff = compare(states, snapshots, k, false);
      if (diff.length === 0) return { applied: changes.slice(0, k), pending: changes.slice(k) };
      if (!best || diff.length < best.diff.length) best = { k, diff };
    }
    throw driftError(target, best!.diff, best!.k);
  });
}

/** Differences of the database's touched tables from the base after change k. */
function compare(states: Map<string, TableState>, snapshots: Snapshots, k: number, baseItself: boolean): string[] {
  const out: string[] = [];
  for (const [table, actual] of states) {
    const expected = snapshots.at(table, k);
    // A table the base has no snapshot of was never touched there: the base itself is its truth.
    if (expected === undefined) {
      if (!baseItself) out.push(`table ${table}: no state of it was recorded on the base database`);
      continue;
    }
    out.push(...differences(table, expected, actual));
  }
  return out;
}

function driftError(target: TargetDatabase, diff: string[], k?: number): AppError {
  const shown = diff.slice(0, 20).join('; ');
  const more = diff.length > 20 ? ` (and ${diff.length - 20} more)` : '';
  const where = k === undefined ? '' : ` (closest: the design after change ${k})`;
  return new AppError('InvalidStatus', `${target.searchName} differs from what the design expects${where}: ${shown}${more}. Fix the database (or the design) and publish again.`);
}

/** Records the base's state of a change's tables (before: position 0 for tables seen first). */
export async function snapshotTables(deps: Deps, c: Connector, target: TargetDatabase, projectId: number, tables: readonly string[], position: number): Promise<void> {
  for (const t of tables) {
    const state = await readTableState(c, databaseOf(target), t);
    await repo.putSnapshot(deps.db, { projectId, position, table: t, state: JSON.stringify(state) });
  }
}

/** Tables of the change that the base has no snapshot of yet (their "before"). */
export async function tablesWithoutSnapshot(deps: Deps, engine: Connector['engine'], projectId: number, tables: readonly string[]): Promise<string[]> {
  const known = new Set((await repo.listSnapshots(deps.db, projectId)).map((s) => tableKey(engine, s.table_name)));
  return tables.filter((t) => !known.has(tableKey(engine, t)));
}
