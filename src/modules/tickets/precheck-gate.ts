import { AppError } from '../../errors.js';

/**
 * SubmitOrderApproval's gate for types with a precheck (DATA_EXPORT, DC_COMMON): passes only after
 * a successful precheck, otherwise says whether it is still running or why it failed, and which
 * Action shows the details.
 */
export function assertPrecheckPassed(ticketId: number, state: 'passed' | 'running' | 'failed', message: string | null, detailAction: string): void {
  if (state === 'passed') return;
  if (state === 'running') {
    throw new AppError('InvalidStatus', `Ticket ${ticketId} cannot be submitted yet: its precheck is still running (${detailAction} shows it).`);
  }
  throw new AppError('InvalidStatus', `Ticket ${ticketId} cannot be submitted: its precheck failed: ${message ?? `see ${detailAction}`}`);
}
