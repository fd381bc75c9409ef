import type { z } from 'zod';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import type { TicketRow } from './ticket.repository.js';

/** DMS PluginType codes (reference §2.1). */
export const KNOWN_PLUGIN_TYPES = [
  'DF_PUBLISH', 'DATA_CORRECT', 'NDDL', 'TABLE_SYNC', 'DC_COMMON', 'DC_CHUNK', 'DC_CRON_CLEAR', 'DC_PROC', 'DC_BIG_FILE',
  'DATA_EXPORT', 'DB_EXPORT', 'SQLReview', 'DATABASE_CLONE', 'GENERATE', 'DATA_TRACK', 'DATA_ARCHIVE', 'DATA_WAREHOUSE',
  'DATA_SNAPSHOT', 'SAAS_DB_MOVE', 'PERM_APPLY', 'OWNER_APPLY', 'PROXY_APPLY', 'SENSITIVITY', 'HealthReport',
] as const;
export type PluginType = (typeof KNOWN_PLUGIN_TYPES)[number];

export const EXEC_MODES = ['COMMITOR', 'AUTO', 'LAST_AUDITOR'] as const;
/** Who runs an approved ticket: the submitter, the service right away, or the last approver. */
export type ExecMode = (typeof EXEC_MODES)[number];

export interface TargetRef {
  dbId: number;
  logic: boolean;
}

/** What routing rules may look at besides PluginType and the target's environment. */
export interface RoutingFacts {
  /** Rows the ticket says it touches or exports (the committer's estimate, or the precheck's). */
  estimatedRows?: number | undefined;
}

/** A ticket as types see it: the stored row, with its parameters parsed by the type's schema. */
export interface TicketContext<P> {
  id: number;
  tenantId: number;
  committerId: number;
  params: P;
}

/**
 * One ticket type = one module implementing this interface (style principle 3). The core owns the
 * lifecycle, approvals and audit; a type owns its parameters and what happens before and after
 * approval. Later issues add execution hooks here, not switches elsewhere.
 */
export interface TicketTypeDefinition<P> {
  readonly pluginType: PluginType;
  /** One-line description of the type (errors, docs). */
  readonly title: string;
  /**
   * The type's parameters with lower-camel keys (PascalCase input is normalized before): validates
   * and types them; nothing unvalidated is stored.
   */
  readonly schema: z.ZodType<P>;
  /** The databases the ticket acts on. */
  targets(params: P): TargetRef[];
  /** Users named inside the parameters (e.g. NDDL `relatedIds`), added to the related users. */
  relatedUsers?(params: P): number[];
  /** Attachment keys the parameters reference; each must exist and belong to the committer. */
  attachments?(params: P): string[];
  routingFacts(params: P): RoutingFacts;
  execMode(params: P): ExecMode;
  /** A short summary for approvers (GetApprovalDetail `Description`). */
  describe(params: P): string;
  /**
   * Inside the creating transaction, after the ticket row exists: checks that need the store and
   * enqueue the type's precheck job (`deps.jobs.enqueue(…, { trx: deps.db })`).
   */
  afterCreate?(deps: Deps, actor: Actor, ticket: TicketContext<P>): Promise<void>;
  /**
   * Before SubmitOrderApproval: throws the business error that says why the ticket cannot be
   * submitted yet (e.g. its precheck is running or failed).
   */
  assertSubmittable?(deps: Deps, ticket: TicketContext<P>): Promise<void>;
  /**
   * The databases the approval routing looks at (their environments pick the template), when not
   * the ticket's own: a schema design routes each publish by the database it publishes to.
   */
  routingTargets?(deps: Deps, ticket: TicketContext<P>): Promise<TargetRef[]>;
  /** Facts measured after filing (e.g. the precheck's row estimate); they override `routingFacts`. */
  measuredFacts?(deps: Deps, ticket: TicketContext<P>): Promise<RoutingFacts>;
  /**
   * Inside the transaction that completed the approval (status `approved`): ExecMode AUTO types
   * start their execution here.
   */
  approved?(deps: Deps, row: TicketRow): Promise<void>;
  /**
   * A schedule type (DC_CRON_CLEAR) stays processing between its runs: CloseOrder may close it
   * while processing (transition CLOSE_SCHEDULE); other types must pause or finish first.
   */
  readonly closableWhileProcessing?: boolean;
  /** Inside the CloseOrder transaction, after the ticket is closed: stop what the type runs on its own. */
  closed?(deps: Deps, row: TicketRow, actor: Actor): Promise<void>;
}

export type AnyTicketType = TicketTypeDefinition<any>;
