import { renderTransitionTable, STATUS_DESC, STATUSES } from './status.js';

/** docs/ticket-lifecycle.md, generated from the state machine so the two cannot disagree. */
export function renderLifecycleDoc(): string {
  return [
    '# Ticket lifecycle',
    '',
    'Generated from `src/modules/tickets/status.ts` (`npm run docs:api`); do not edit by hand.',
    '',
    '## Statuses',
    '',
    '| StatusCode | StatusDesc |',
    '| --- | --- |',
    ...STATUSES.map((s) => `| \`${s}\` | ${STATUS_DESC[s]} |`),
    '',
    '## Transitions',
    '',
    'Every action below is one row of the table the service enforces. An action from a status not',
    'listed answers `InvalidStatus` naming the current status; a caller who is none of the parties',
    'answers `NoPermission`. Each applied action is a compare-and-set on the ticket version (two',
    'concurrent actions never both apply; the loser gets `ConcurrentModification`) and appends an',
    'audit event (`ListOrderEvents`).',
    '',
    'Parties: COMMITTER (who filed it, or an ADMIN acting for them with `RealLoginUserUid`), HANDLER',
    '(a current approver of the current node), ADMIN and DBA (tenant roles), EXECUTOR (whom the',
    "ticket's ExecMode names), SYSTEM (the service).",
    '',
    renderTransitionTable(),
    '',
  ].join('\n');
}
