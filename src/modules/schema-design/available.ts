/**
 * The schema design (NDDL) part of GetOrderAvailableActions, from the same rules the Actions apply:
 * PUBLISH (CreatePublishGroupTask: publishRefusal, and the ticket may be submitted), EDIT_DESIGN
 * (Add/Update/RemoveTableDesignChange: editRefusal), RESTART (RestartPublishGroupTask: the last
 * publish failed while running, by the committer or an ADMIN). A NDDL ticket has no plain SUBMIT:
 * each publish submits itself.
 */
import type { Deps } from '../context.js';
import { hasRole, type Actor } from '../identity/actor.js';
import type { TicketAction } from '../tickets/status.js';
import * as repo from './design.repository.js';
import { editRefusal, visibleProject } from './design.js';
import { publishRefusal } from './publish.js';

export interface DesignAction {
  name: 'PUBLISH' | 'EDIT_DESIGN' | 'RESTART';
  transition: TicketAction | null;
  api: string;
  params: Record<string, string | number>;
}

/** `maySubmit`: the state machine lets the caller submit the ticket now (SUBMIT: committer, status new or reject). */
export async function designActions(deps: Deps, actor: Actor, orderId: number, maySubmit: boolean): Promise<DesignAction[]> {
  const p = await visibleProject(deps, actor, orderId);
  const out: DesignAction[] = [];
  if (maySubmit && !publishRefusal(actor, p)) {
    // The design stage publishes to the base; a later stage to a database the user picks (the server checks its environment).
    const params: Record<string, string | number> = { Logic: 'false', PublishStrategy: 'IMMEDIATELY' };
    if (p.row.published_stage === 0) Object.assign(params, { DbId: p.row.base_db_id, Logic: p.row.base_logic === 1 ? 'true' : 'false' });
    out.push({ name: 'PUBLISH', transition: 'SUBMIT', api: 'CreatePublishGroupTask', params });
  }
  if (!editRefusal(actor, p)) out.push({ name: 'EDIT_DESIGN', transition: null, api: 'AddTableDesignChange', params: {} });
  if (p.ticket.row.status === 'fail' && (p.ticket.row.committer_id === actor.userId || hasRole(actor, 'ADMIN'))) {
    const last = (await repo.listPublishes(deps.db, p.row.id)).at(-1);
    if (last?.status === 'FAIL') out.push({ name: 'RESTART', transition: 'START_EXECUTION', api: 'RestartPublishGroupTask', params: { TaskId: last.id } });
  }
  return out;
}
