/**
 * The design project of a NDDL ticket and its changes (extension Actions AddTableDesignChange,
 * UpdateTableDesignChange, RemoveTableDesignChange, ListTableDesignChanges). A change is one DDL
 * statement in the base engine's dialect; the changes are ordered, and each must apply after the
 * ones before it to the base database as it is (name-model.ts). Every change is reviewed on the
 * base database when recorded (the findings are kept with it); publishing reviews again per target.
 * Changes can be edited only while the ticket is being designed (status new or reject), and a
 * change that already ran on the base database can no longer be edited or removed.
 */
import { AppError, noPermission } from '../../errors.js';
import type { Engine } from '../../connectors/index.js';
import { inTransaction, type Deps } from '../context.js';
import { hasRole, type Actor } from '../identity/actor.js';
import { withConnector } from '../instances/connections.js';
import { resolveTargetDatabase, type TargetDatabase } from '../instances/owners.js';
import { resolveActor } from '../identity/authentication.js';
import { analyzeDdl } from '../review/index.js';
import type { AnalyzedDdl } from '../review/ddl-types.js';
import { splitStatements } from '../../lib/sql/split.js';
import { recordEvent } from '../tickets/events.js';
import { getVisibleTicket, type Ticket } from '../tickets/tickets.js';
import type { SchemaDesignParams } from '../tickets/types/nddl.type.js';
import * as repo from './design.repository.js';
import type { ChangeRow, ProjectRow } from './design.repository.js';
import type { FlowConfig } from './design.table.js';
import { reviewDesign, type DesignFinding } from './design-review.js';
import { tenantFlow } from './flow.js';
import { NameModel, touchedTables } from './name-model.js';

/** At most this many changes in one design. */
export const MAX_CHANGES = 500;

/** Inside the ticket's creating transaction: the project, with the tenant's flow as it is now. */
export async function createProject(deps: Deps, actor: Actor, ticket: { id: number; tenantId: number; params: SchemaDesignParams }): Promise<void> {
  const base = await resolveTargetDatabase(deps, actor, ticket.params.dbId, ticket.params.logic).catch(() => {
    throw new AppError('InvalidDbId', `Specified parameter PluginParam is not valid: dbId: ${ticket.params.logic ? 'logical ' : ''}database ${ticket.params.dbId} does not exist (or has no members).`);
  });
  const flow = await tenantFlow(deps, ticket.tenantId);
  if (flow.stages[0]!.envType !== base.envType) {
    throw new AppError('InvalidDbId', `Specified parameter PluginParam is not valid: dbId: the base database ${base.searchName} is in environment ${base.envType}, but the design stage of the R&D flow "${flow.name}" is ${flow.stages[0]!.envType}; choose a ${flow.stages[0]!.envType} database.`);
  }
  const now = deps.now();
  await repo.insertProject(deps.db, { ticket_id: ticket.id, tenant_id: ticket.tenantId, base_db_id: base.dbId, base_logic: base.logic ? 1 : 0, status: 'DESIGN', flow: JSON.stringify(flow), published_stage: 0, creator_id: actor.userId, created_at: now, modified_at: now });
}

export interface Project {
  ticket: Ticket;
  row: ProjectRow;
  flow: FlowConfig;
  params: SchemaDesignParams;
}

export async function visibleProject(deps: Deps, actor: Actor, orderId: number): Promise<Project> {
  const ticket = await getVisibleTicket(deps, actor, orderId);
  if (ticket.row.plugin_type !== 'NDDL') throw new AppError('InvalidOrderId', `Specified parameter OrderId is not valid: ticket ${orderId} is a ${ticket.row.plugin_type} ticket, not a schema design (NDDL).`);
  const row = await repo.findProjectByTicket(deps.db, orderId);
  if (!row) throw new AppError('InvalidOrderId', `Ticket ${orderId} has no design project.`);
  return { ticket, row, flow: JSON.parse(row.flow) as FlowConfig, params: ticket.params as SchemaDesignParams };
}

/**
 * The databases of the base: itself, or every member of a logical base. The first is the
 * reference: the design is checked, reviewed and snapshotted on it; the others follow it.
 */
export async function baseMembers(deps: Deps, p: Project): Promise<TargetDatabase[]> {
  const committer = await resolveActor(deps, p.ticket.row.committer_id, p.row.tenant_id);
  const base = await resolveTargetDatabase(deps, committer, p.row.base_db_id, p.row.base_logic === 1).catch(() => undefined);
  if (!base) throw new AppError('InvalidStatus', `The base database ${p.row.base_db_id} of ticket ${p.row.ticket_id} no longer exists.`);
  return base.members;
}

/** The reference database of the base (baseMembers). */
export async function baseOf(deps: Deps, p: Project): Promise<TargetDatabase> {
  return (await baseMembers(deps, p))[0]!;
}

export const databaseOf = (t: TargetDatabase): string => (t.engine === 'sqlite' ? 'main' : t.schemaName);

/**
 * Why `actor` may not edit the design now, or undefined: the committer (or an ADMIN), while it is
 * being designed. Also what GetOrderAvailableActions offers (EDIT_DESIGN).
 */
export function editRefusal(actor: Actor, p: Project): AppError | undefined {
  if (p.ticket.row.committer_id !== actor.userId && !hasRole(actor, 'ADMIN')) return noPermission(`Only the committer of ticket ${p.row.ticket_id} (or an ADMIN) may change its design.`);
  if (p.row.status !== 'DESIGN') return new AppError('InvalidStatus', `The design of ticket ${p.row.ticket_id} is ${p.row.status}; it can no longer change.`);
  if (p.ticket.row.status !== 'new' && p.ticket.row.status !== 'reject') {
    return new AppError('InvalidStatus', `Ticket ${p.row.ticket_id} is ${p.ticket.row.status} (a publish is under approval or running); change the design once it is back in design (status new).`);
  }
  if (p.row.published_stage > 0) {
    const stage = p.flow.stages[p.row.published_stage - 1]!;
    if (!stage.backToDesign) return new AppError('InvalidStatus', `Ticket ${p.row.ticket_id} was published to stage "${stage.title}", which does not allow going back to design (BackToDesign false).`);
  }
  return undefined;
}

function assertEditable(actor: Actor, p: Project): void {
  const refusal = editRefusal(actor, p);
  if (refusal) throw refusal;
}

/** One DDL statement of the base engine, analyzed; the refusal names the problem. */
function parseOne(sql: string, engine: Engine): AnalyzedDdl {
  const parts = splitStatements(sql, engine);
  if (parts.length !== 1) throw new AppError('InvalidSQL', `Specified parameter SQL is not valid: a design change is exactly one statement (found ${parts.length}).`);
  const [d] = analyzeDdl(parts[0]!.text, engine);
  if (!d || d.kind === 'OTHER') {
    throw new AppError('InvalidSQL', 'Specified parameter SQL is not valid: a design change is one CREATE TABLE, ALTER TABLE, CREATE INDEX, DROP INDEX, RENAME TABLE, DROP TABLE or COMMENT statement.');
  }
  if (!d.table && d.kind !== 'DROP_INDEX') throw new AppError('InvalidSQL', `Specified parameter SQL is not valid: the table of this ${d.kind.replace('_', ' ')} could not be read${d.parseError ? ` (${d.parseError})` : ''}.`);
  return d;
}

/** Checks that every change applies in order on the base database; throws naming the first one that does not. */
async function assertApplies(deps: Deps, base: TargetDatabase, changes: readonly { position: number; analyzed: AnalyzedDdl }[]): Promise<void> {
  await withConnector(deps, base.spec, async (c) => {
    const model = await NameModel.load(c, databaseOf(base), changes.flatMap((x) => touchedTables(x.analyzed)));
    for (const x of changes) {
      const why = model.apply(x.analyzed);
      if (why) throw new AppError('InvalidSQL', `Specified parameter SQL is not valid: change ${x.position} does not apply to ${base.searchName}: ${why}.`);
    }
  });
}

/** The design's changes that have not run on the base yet, in order, with `sql` replacing or adding one. */
function pendingOnBase(changes: readonly ChangeRow[], engine: Engine): { position: number; analyzed: AnalyzedDdl }[] {
  return changes.filter((c) => c.applied_to_base === 0).map((c) => ({ position: c.position, analyzed: analyzeDdl(c.sql, engine)[0]! }));
}

export interface ChangeView {
  row: ChangeRow;
  findings: DesignFinding[];
}

export async function addChange(deps: Deps, actor: Actor, orderId: number, sql: string, requestId: string): Promise<ChangeView> {
  const p = await visibleProject(deps, actor, orderId);
  assertEditable(actor, p);
  const base = await baseOf(deps, p);
  const analyzed = parseOne(sql, base.engine);
  const changes = await repo.listChanges(deps.db, p.row.id);
  if (changes.length >= MAX_CHANGES) throw new AppError('QuotaExceeded', `A design holds at most ${MAX_CHANGES} changes.`);
  const position = changes.length + 1;
  await assertApplies(deps, base, [...pendingOnBase(changes, base.engine), { position, analyzed }]);
  const findings = await reviewDesign(deps, p.row.tenant_id, base, [analyzed], position);
  return inTransaction(deps, async (tx) => {
    const now = tx.now();
    const id = await repo.insertChange(tx.db, {
      project_id: p.row.id,
      position,
      sql: analyzed.sql,
      kind: analyzed.kind,
      table_name: analyzed.table?.name ?? '',
      tables: JSON.stringify(touchedTables(analyzed)),
      findings: JSON.stringify(findings),
      applied_to_base: 0,
      created_by: actor.userId,
      created_at: now,
      modified_at: now,
    });
    // A new change has to go through the stages again, from the design stage.
    if (p.row.published_stage > 0) await repo.updateProject(tx.db, p.row.id, { published_stage: 0 }, now);
    await recordEvent(tx, { ticketId: orderId, tenantId: p.row.tenant_id, actor, action: 'DESIGN_CHANGE_ADD', fromStatus: p.ticket.row.status, toStatus: p.ticket.row.status, requestId, comment: `change ${position}: ${analyzed.kind} ${analyzed.table?.name ?? ''}` });
    const row = (await repo.listChanges(tx.db, p.row.id)).find((c) => c.id === id)!;
    return { row, findings };
  });
}

async function editableChange(deps: Deps, actor: Actor, orderId: number, changeId: number) {
  const p = await visibleProject(deps, actor, orderId);
  assertEditable(actor, p);
  const changes = await repo.listChanges(deps.db, p.row.id);
  const change = changes.find((c) => c.id === changeId);
  if (!change) throw new AppError('InvalidChangeId', `Specified parameter ChangeId is not valid: ticket ${orderId} has no design change ${changeId}.`);
  if (change.applied_to_base === 1) throw new AppError('InvalidStatus', `Change ${change.position} already ran on the base database; add a new change that undoes or alters it instead.`);
  return { p, changes, change };
}

export async function updateChange(deps: Deps, actor: Actor, orderId: number, changeId: number, sql: string, requestId: string): Promise<ChangeView> {
  const { p, changes, change } = await editableChange(deps, actor, orderId, changeId);
  const base = await baseOf(deps, p);
  const analyzed = parseOne(sql, base.engine);
  const pending = pendingOnBase(changes, base.engine).map((x) => (x.position === change.position ? { position: x.position, analyzed } : x));
  await assertApplies(deps, base, pending);
  const findings = await reviewDesign(deps, p.row.tenant_id, base, [analyzed], change.position);
  return inTransaction(deps, async (tx) => {
    await repo.updateChange(tx.db, change.id, { sql: analyzed.sql, kind: analyzed.kind, table_name: analyzed.table?.name ?? '', tables: JSON.stringify(touchedTables(analyzed)), findings: JSON.stringify(findings), modified_at: tx.now() });
    await recordEvent(tx, { ticketId: orderId, tenantId: p.row.tenant_id, actor, action: 'DESIGN_CHANGE_UPDATE', fromStatus: p.ticket.row.status, toStatus: p.ticket.row.status, requestId, comment: `change ${change.position}: ${analyzed.kind} ${analyzed.table?.name ?? ''}` });
    const row = (await repo.listChanges(tx.db, p.row.id)).find((c) => c.id === change.id)!;
    return { row, findings };
  });
}

export async function removeChange(deps: Deps, actor: Actor, orderId: number, changeId: number, requestId: string): Promise<void> {
  const { p, changes, change } = await editableChange(deps, actor, orderId, changeId);
  const base = await baseOf(deps, p);
  const rest = changes.filter((c) => c.id !== change.id);
  await assertApplies(deps, base, pendingOnBase(rest, base.engine));
  await inTransaction(deps, async (tx) => {
    await repo.deleteChange(tx.db, change.id);
    await repo.renumber(tx.db, rest.map((c) => c.id));
    await recordEvent(tx, { ticketId: orderId, tenantId: p.row.tenant_id, actor, action: 'DESIGN_CHANGE_REMOVE', fromStatus: p.ticket.row.status, toStatus: p.ticket.row.status, requestId, comment: `change ${change.position} removed` });
  });
}

export async function listDesignChanges(deps: Deps, actor: Actor, orderId: number): Promise<ChangeView[]> {
  const p = await visibleProject(deps, actor, orderId);
  return (await repo.listChanges(deps.db, p.row.id)).map((row) => ({ row, findings: JSON.parse(row.findings) as DesignFinding[] }));
}
