import type { FastifyBaseLogger } from 'fastify';
import type { Deps } from '../../modules/context.js';
import type { Actor } from '../../modules/identity/actor.js';
import { p, type InferParams, type ParamsShape } from './schema.js';

export interface ActionContext {
  readonly requestId: string;
  /** Who the Action runs as (after `RealLoginUserUid`, the user acted for). */
  readonly actor: Actor;
  /** The AccessKey that signed the request. */
  readonly accessKeyId: string;
  readonly deps: Deps;
  readonly log: FastifyBaseLogger;
  /** The Host header the request came with (`name[:port]`), for URLs handed back to the caller. */
  readonly host: string;
}

/** Common parameters every DMS Action accepts (reference §1.7). */
const COMMON = {
  Tid: p.long('Tenant ID. Absent or -1: the caller\'s active tenant.'),
};
const REAL_LOGIN_USER = {
  RealLoginUserUid: p.string('Uid of the user an ADMIN acts for; both identities are recorded.'),
};

type WithCommon<P extends ParamsShape, R extends boolean> = P & typeof COMMON & (R extends true ? typeof REAL_LOGIN_USER : unknown);

export interface ActionDefinition<P extends ParamsShape = ParamsShape> {
  readonly name: string;
  /** Heading in the API reference. */
  readonly group: string;
  readonly summary: string;
  /** An OpenDMS Action with no DMS equivalent. */
  readonly extension: boolean;
  /** How much of the DMS reference entry is implemented (API reference). */
  readonly coverage: string;
  readonly params: P;
  readonly acceptsRealLoginUser: boolean;
  /** Response fields besides RequestId/Success, documented as in the reference. */
  readonly response: string;
  handler(input: InferParams<P>, ctx: ActionContext): Promise<Record<string, unknown>>;
}

export function defineAction<const P extends ParamsShape, const R extends boolean = false>(def: {
  name: string;
  group: string;
  summary: string;
  extension?: boolean;
  coverage?: string;
  params: P;
  acceptsRealLoginUser?: R;
  response: string;
  handler(input: InferParams<WithCommon<P, R>>, ctx: ActionContext): Promise<Record<string, unknown>>;
}): ActionDefinition<WithCommon<P, R>> {
  const params = { ...COMMON, ...def.params, ...(def.acceptsRealLoginUser ? REAL_LOGIN_USER : {}) } as WithCommon<P, R>;
  return {
    name: def.name,
    group: def.group,
    summary: def.summary,
    extension: def.extension ?? false,
    coverage: def.coverage ?? 'Complete.',
    params,
    acceptsRealLoginUser: def.acceptsRealLoginUser ?? false,
    response: def.response,
    handler: def.handler,
  };
}

export type AnyAction = ActionDefinition<any>;

export function buildRegistry(actions: readonly AnyAction[]): ReadonlyMap<string, AnyAction> {
  const map = new Map<string, AnyAction>();
  for (const a of actions) {
    if (map.has(a.name)) throw new Error(`Action ${a.name} is defined twice`);
    map.set(a.name, a);
  }
  return map;
}
