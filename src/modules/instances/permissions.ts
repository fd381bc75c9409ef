import { hasRole, requireRole, type Actor } from '../identity/actor.js';

/**
 * Who may do what with instances, databases, logical databases and owners (DMS semantics), in one
 * place:
 * - registering, changing and deleting instances and logical databases, setting owners and
 *   re-running discovery: ADMIN or DBA of the tenant;
 * - reading (lists, details, tables, columns): any member of the tenant. Services only ever look
 *   inside `actor.tenantId`, so another tenant's resources are "not found", never visible;
 * - another user's owned resources: ADMIN or DBA; one's own: anyone.
 */
export function requireInstanceManager(actor: Actor): void {
  requireRole(actor, 'ADMIN', 'DBA');
}

export function canManageInstances(actor: Actor): boolean {
  return hasRole(actor, 'ADMIN', 'DBA');
}
