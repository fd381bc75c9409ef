/**
 * The ticket state machine, table-driven: every (status, action, actor role) of TRANSITIONS in
 * src/modules/tickets/status.ts, on real tickets driven into each status. Expected outcomes are
 * computed from the table itself: allowed, InvalidStatus naming the current status, or NoPermission.
 *
 * Actions with an Action go through the real client (SubmitOrderApproval, ApproveOrder, CloseOrder).
 * The others (EDIT, and execution, which later issues expose), the approval actions on a `new`
 * ticket (it has no WorkflowInstanceId to name), and the SYSTEM / EXECUTOR parties go through the
 * ticket core's applyAction with the caller's parties, as those issues will. `processing`,
 * `success` and `fail` are set in the store through the ticket repository (no execution yet).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { inTransaction } from '../../src/modules/context.js';
import type { Actor } from '../../src/modules/identity/actor.js';
import { resolveActor } from '../../src/modules/identity/authentication.js';
import { STATUSES, TRANSITIONS, type Party, type TicketAction, type TicketStatus } from '../../src/modules/tickets/status.js';
import * as ticketRepo from '../../src/modules/tickets/ticket.repository.js';
import { applyAction, partiesOf } from '../../src/modules/tickets/tickets.js';
import { createUser, ok, pop, startTestServer, type Key, type TestServer, awaitPrecheck } from '../helpers/server.js';

type User = Key & { userId: number };
const HUMAN_ROLES = ['committer', 'handler', 'admin', 'dba', 'other'] as const;
const ROLES = [...HUMAN_ROLES, 'system', 'executor'] as const;
type Role = (typeof ROLES)[number];
type Human = (typeof HUMAN_ROLES)[number];
const isHuman = (r: Role): r is Human => (HUMAN_ROLES as readonly string[]).includes(r);

/** Where a ticket is: a status, or `toaudit` on its last node (for APPROVE_FINAL). */
type Fixture = TicketStatus | 'toaudit-final';

let srv: TestServer;
let admin: ReturnType<typeof pop>;
let dbId: number;
let people: Record<Human | 'lastHandler' | 'target', User>;
let extraNode: number;

beforeAll(async () => {
  srv = await startTestServer({ demo: true });
  admin = pop(srv, srv.admin);
  dbId = Number(ok(await admin('ListDatabases', { InstanceId: 1 })).DatabaseList.Database[0].DatabaseId);
  const mk = (uid: string, role = 'USER') => createUser(srv, uid, role);
  people = {
    committer: await mk('sm-committer'),
    handler: await mk('sm-handler1'),
    lastHandler: await mk('sm-handler2'),
    target: await mk('sm-target'),
    admin: await mk('sm-admin', 'ADMIN'),
    dba: await mk('sm-dba', 'DBA'),
    other: await mk('sm-other'),
  };
  const node = async (name: string, u: User) => ok(await admin('CreateWorkFlowNode', { NodeName: name, AuditUserIdList: String(u.userId) })).NodeId;
  const chain = [await node('First', people.handler), await node('Last', people.lastHandler)];
  extraNode = await node('Extra', people.target);
  const templateId = ok(await admin('CreateWorkFlowTemplate', { TemplateName: 'Two nodes', NodeIdList: chain.join(',') })).TemplateId;
  ok(await admin('SetApprovalRoutingRules', { Rules: JSON.stringify([{ Name: 'all', Decision: 'APPROVAL', TemplateId: templateId }]) }));
});
afterAll(async () => srv?.close());

interface Ticket {
  orderId: number;
  wf: number | null;
}

const as = (u: User) => pop(srv, u);

async function setStatus(orderId: number, status: TicketStatus): Promise<void> {
  const row = (await ticketRepo.findTicket(srv.server.deps.db, srv.admin.tid, orderId))!;
  expect(await ticketRepo.updateTicketIfVersion(srv.server.deps.db, orderId, row.version, { status }, Date.now())).toBe(true);
}

/** A new ticket driven into `f` through the real client (and the store for execution statuses). */
async function build(f: Fixture): Promise<Ticket> {
  const { committer: c, handler: h1, lastHandler: h2 } = people;
  const orderId = ok(
    await as(c)('CreateOrder', { Comment: `state ${f}`, PluginType: 'DATA_EXPORT', PluginParam: JSON.stringify({ dbId, exeSQL: 'select 1' }), RelatedUserList: `${h1.userId},${h2.userId}` }),
  ).CreateOrderResult.OrderIds[0];
  expect(await awaitPrecheck(as(c), orderId)).toBe('PRE_CHECK_SUCCESS');
  if (f === 'new') return { orderId, wf: null };
  const wf = ok(await as(c)('SubmitOrderApproval', { OrderId: orderId })).WorkflowInstanceId;
  const approve = (u: User, type: string) => as(u)('ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: type }).then(ok);
  if (f === 'reject') await approve(h1, 'REJECT');
  if (f === 'cancel') await approve(c, 'CANCEL');
  if (!['toaudit', 'reject', 'cancel'].includes(f)) await approve(h1, 'AGREE');
  if (!['toaudit', 'reject', 'cancel', 'toaudit-final'].includes(f)) await approve(h2, 'AGREE');
  if (f === 'closed') ok(await as(c)('CloseOrder', { OrderId: orderId, CloseReason: 'done' }));
  if (f === 'processing' || f === 'success' || f === 'fail') await setStatus(orderId, 'processing');
  if (f === 'success' || f === 'fail') await setStatus(orderId, f);
  const actual = ok(await admin('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo.StatusCode;
  expect(actual).toBe(f === 'toaudit-final' ? 'toaudit' : f);
  return { orderId, wf };
}

/** Tickets are reused while actions are refused; an allowed action consumes the ticket. */
const cache = new Map<Fixture, Ticket>();
async function ticketIn(f: Fixture): Promise<Ticket> {
  let t = cache.get(f);
  if (!t) cache.set(f, (t = await build(f)));
  return t;
}

const API_ACTIONS: readonly TicketAction[] = ['SUBMIT', 'APPROVE_NODE', 'APPROVE_FINAL', 'REJECT', 'CANCEL', 'TRANSFER', 'ADD_NODE', 'CLOSE'];
const viaApi = (action: TicketAction, role: Role, t: Ticket): boolean =>
  isHuman(role) && API_ACTIONS.includes(action) && (t.wf !== null || action === 'SUBMIT' || action === 'CLOSE');

const userOf = (role: Human, f: Fixture): User => (role === 'handler' && f === 'toaudit-final' ? people.lastHandler : people[role]);

/** What the table says, given who the caller is. Through the API an invisible ticket is refused first. */
function expected(status: TicketStatus, action: TicketAction, role: Role, api: boolean): string {
  if (api && role === 'other') return 'NoPermission';
  const t = TRANSITIONS[action];
  if (!t.from.includes(status)) return 'InvalidStatus';
  const parties: Party[] =
    role === 'committer' ? ['COMMITTER'] : role === 'handler' ? (status === 'toaudit' ? ['HANDLER'] : []) : role === 'admin' ? ['ADMIN'] : role === 'dba' ? ['DBA'] : role === 'system' ? ['SYSTEM'] : role === 'executor' ? ['EXECUTOR'] : [];
  return t.by.some((p) => parties.includes(p)) ? 'OK' : 'NoPermission';
}

async function callApi(action: TicketAction, user: User, role: Human, t: Ticket, f: Fixture): Promise<{ Success: boolean; ErrorCode?: string; ErrorMessage?: string }> {
  const call = as(user);
  const approve = (type: string, extra: Record<string, unknown> = {}) => call('ApproveOrder', { WorkflowInstanceId: t.wf, ApprovalType: type, ...extra }) as Promise<any>;
  switch (action) {
    case 'SUBMIT':
      return call('SubmitOrderApproval', { OrderId: t.orderId }) as Promise<any>;
    case 'CLOSE':
      return call('CloseOrder', { OrderId: t.orderId, CloseReason: 'state machine' }) as Promise<any>;
    case 'APPROVE_NODE':
    case 'APPROVE_FINAL':
      return approve('AGREE');
    case 'REJECT':
    case 'CANCEL':
      return approve(action);
    case 'TRANSFER':
      // An ADMIN transfers on behalf of the current handler; everyone else for themselves.
      return approve('TRANSFER', { NewApprover: people.target.userId, ...(role === 'admin' && { OldApprover: userOf('handler', f).userId }) });
    case 'ADD_NODE':
      return approve('ADD_APPROVAL_NODE', { ApprovalNodeId: extraNode, ApprovalNodePos: 'POST' });
    default:
      throw new Error(`${action} has no Action`);
  }
}

/** The ticket core directly: the caller's parties (partiesOf) or the SYSTEM / EXECUTOR party. */
async function callCore(action: TicketAction, role: Role, t: Ticket, f: Fixture): Promise<{ Success: boolean; ErrorCode?: string; ErrorMessage?: string }> {
  const deps = srv.server.deps;
  // Resolved before the transaction: on SQLite the store has one connection, which the transaction holds.
  const actor: Actor | null = isHuman(role) ? await resolveActor(deps, userOf(role, f).userId, srv.admin.tid) : null;
  try {
    await inTransaction(deps, async (tx) => {
      const row = (await ticketRepo.findTicket(tx.db, srv.admin.tid, t.orderId))!;
      const parties = actor ? await partiesOf(tx, actor, row) : new Set<Party>([role === 'system' ? 'SYSTEM' : 'EXECUTOR']);
      await applyAction(tx, actor, row, action, { parties, comment: 'state machine' });
    });
    return { Success: true };
  } catch (e) {
    if (e instanceof AppError) return { Success: false, ErrorCode: e.code, ErrorMessage: e.message };
    throw e;
  }
}

describe('every (status, action, role) of the state machine', () => {
  for (const status of STATUSES) {
    describe(`in status ${status}`, () => {
      for (const action of Object.keys(TRANSITIONS) as TicketAction[]) {
        it(action, async () => {
          const fixture: Fixture = status === 'toaudit' && action === 'APPROVE_FINAL' ? 'toaudit-final' : status;
          const want: Record<string, string> = {};
          const got: Record<string, string> = {};
          for (const role of ROLES) {
            const t = await ticketIn(fixture);
            const api = viaApi(action, role, t);
            want[role] = expected(status, action, role, api);
            const res = api ? await callApi(action, userOf(role as Human, fixture), role as Human, t, fixture) : await callCore(action, role, t, fixture);
            if (res.Success) {
              got[role] = 'OK';
              cache.delete(fixture);
            } else if (res.ErrorCode === 'InvalidStatus') {
              // The refusal names the current status.
              got[role] = res.ErrorMessage?.includes(`in status ${status}`) ? 'InvalidStatus' : `InvalidStatus without the status: ${res.ErrorMessage}`;
            } else {
              got[role] = res.ErrorCode ?? 'unknown';
            }
          }
          expect(got).toEqual(want);
        });
      }
    });
  }
});
