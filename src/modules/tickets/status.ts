/**
 * Ticket status codes (reference §2.2) and the one table that says which action moves a ticket
 * from which status to which, and who may take it. docs/ticket-lifecycle.md renders the same table.
 */
export const STATUSES = ['new', 'toaudit', 'approved', 'reject', 'cancel', 'processing', 'success', 'fail', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];

export const STATUS_DESC: Readonly<Record<TicketStatus, string>> = {
  new: 'created, not yet submitted for approval',
  toaudit: 'waiting for approval',
  approved: 'approved, waiting for execution',
  reject: 'rejected by an approver',
  cancel: 'withdrawn by the submitter',
  processing: 'a ticket task is being executed',
  success: 'executed successfully',
  fail: 'execution failed',
  closed: 'closed',
};

/** `ListOrders OrderStatus=FINISHED`: nothing more will happen without someone acting anew. */
export const FINISHED: readonly TicketStatus[] = ['success', 'fail', 'reject', 'cancel', 'closed'];
export const RUNNING: readonly TicketStatus[] = ['new', 'toaudit', 'approved', 'processing'];

/**
 * Who takes an action, relative to the ticket:
 * - COMMITTER: the person who filed it (or an ADMIN acting for them with RealLoginUserUid);
 * - HANDLER: a current approver of the current node;
 * - ADMIN / DBA: tenant roles;
 * - EXECUTOR: whoever the ticket's ExecMode names (committer, last approver) — checked by the type;
 * - SYSTEM: the service itself (workflow end, background jobs).
 */
export type Party = 'COMMITTER' | 'HANDLER' | 'ADMIN' | 'DBA' | 'EXECUTOR' | 'SYSTEM';

export type TicketAction =
  | 'SUBMIT'
  | 'APPROVE_NODE'
  | 'APPROVE_FINAL'
  | 'REJECT'
  | 'CANCEL'
  | 'TRANSFER'
  | 'ADD_NODE'
  | 'EDIT'
  | 'START_EXECUTION'
  | 'EXECUTION_SUCCEEDED'
  | 'EXECUTION_FAILED'
  | 'STAGE_PUBLISHED'
  | 'CLOSE'
  | 'CLOSE_SCHEDULE';

export interface Transition {
  readonly from: readonly TicketStatus[];
  /** null: the status stays (the action is still recorded). */
  readonly to: TicketStatus | null;
  readonly by: readonly Party[];
  readonly meaning: string;
}

export const TRANSITIONS: Readonly<Record<TicketAction, Transition>> = {
  SUBMIT: { from: ['new', 'reject'], to: 'toaudit', by: ['COMMITTER'], meaning: 'submit for approval (resubmit after a rejection); a route that needs no approval goes straight to approved' },
  APPROVE_NODE: { from: ['toaudit'], to: null, by: ['HANDLER'], meaning: 'agree on a node that is not the last one' },
  APPROVE_FINAL: { from: ['toaudit'], to: 'approved', by: ['HANDLER'], meaning: 'agree on the last node' },
  REJECT: { from: ['toaudit'], to: 'reject', by: ['HANDLER'], meaning: 'reject' },
  CANCEL: { from: ['toaudit'], to: 'cancel', by: ['COMMITTER'], meaning: 'withdraw while under approval' },
  TRANSFER: { from: ['toaudit'], to: null, by: ['HANDLER', 'ADMIN'], meaning: 'hand the current node to other approvers (ADMIN: on behalf of OldApprover)' },
  ADD_NODE: { from: ['toaudit'], to: null, by: ['HANDLER'], meaning: 'insert a user-defined node before or after the current one' },
  EDIT: { from: ['new', 'reject'], to: null, by: ['COMMITTER'], meaning: "change the ticket's content through its type's Actions" },
  START_EXECUTION: { from: ['approved', 'fail'], to: 'processing', by: ['EXECUTOR', 'SYSTEM'], meaning: 'start (or retry) execution' },
  EXECUTION_SUCCEEDED: { from: ['processing'], to: 'success', by: ['SYSTEM'], meaning: 'execution finished' },
  EXECUTION_FAILED: { from: ['processing'], to: 'fail', by: ['SYSTEM'], meaning: 'execution failed' },
  STAGE_PUBLISHED: { from: ['processing'], to: 'new', by: ['SYSTEM'], meaning: 'a schema design published one stage; it goes on to the next one (submitted again with the next publish)' },
  CLOSE: {
    from: ['new', 'toaudit', 'approved', 'reject', 'cancel', 'success', 'fail'],
    to: 'closed',
    by: ['COMMITTER', 'ADMIN', 'DBA'],
    meaning: 'close with a reason (not while processing: pause or wait first)',
  },
  CLOSE_SCHEDULE: {
    from: ['processing'],
    to: 'closed',
    by: ['COMMITTER', 'ADMIN', 'DBA'],
    meaning: 'close a cleanup schedule (DC_CRON_CLEAR, processing while armed) with a reason: CloseOrder disarms it and stops its current run',
  },
};

/** The next status, or why not. Who the caller is gets checked with `partiesAllowed`. */
export function nextStatus(action: TicketAction, current: TicketStatus): { ok: true; to: TicketStatus } | { ok: false; reason: string } {
  const t = TRANSITIONS[action];
  if (!t.from.includes(current)) {
    return { ok: false, reason: `a ticket in status ${current} (${STATUS_DESC[current]}) cannot ${t.meaning}; allowed from: ${t.from.join(', ')}` };
  }
  return { ok: true, to: t.to ?? current };
}

export function partiesAllowed(action: TicketAction, parties: ReadonlySet<Party>): boolean {
  return TRANSITIONS[action].by.some((p) => parties.has(p));
}

/** Markdown table of TRANSITIONS, for docs/ticket-lifecycle.md. */
export function renderTransitionTable(): string {
  const rows = Object.entries(TRANSITIONS).map(
    ([action, t]) => `| ${action} | ${t.from.join(', ')} | ${t.to ?? '(unchanged)'} | ${t.by.join(', ')} | ${t.meaning} |`,
  );
  return ['| Action | From | To | By | Meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
