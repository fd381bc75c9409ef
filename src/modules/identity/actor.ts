import { noPermission } from '../../errors.js';
import type { Role } from './roles.js';

/**
 * Who an Action runs as, inside one tenant. When an ADMIN acts for another user
 * (`RealLoginUserUid`), the actor is that user and `delegatedBy` is the AccessKey owner; both are
 * recorded by the services that write history.
 */
export interface Actor {
  readonly userId: number;
  readonly uid: string;
  readonly nickName: string;
  /** Deployment-wide right to create tenants (the bootstrapped admin and whom it grants). */
  readonly isSysadmin: boolean;
  readonly tenantId: number;
  readonly roles: readonly Role[];
  readonly delegatedBy: { readonly userId: number; readonly uid: string } | undefined;
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return roles.some((r) => actor.roles.includes(r));
}

export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (!hasRole(actor, ...roles)) {
    throw noPermission(`This operation needs the role ${roles.join(' or ')} in tenant ${actor.tenantId}; user ${actor.userId} has ${actor.roles.join(',') || 'none'}.`);
  }
}
