/** DMS system roles (reference §2.3). Roles are held per tenant (a membership). */
export const ROLES = ['USER', 'DBA', 'ADMIN', 'SECURITY_ADMIN', 'STRUCT_READ_ONLY'] as const;
export type Role = (typeof ROLES)[number];

/** Numeric ids DMS reports in `RoleIdList.RoleIds` next to the role codes. */
export const ROLE_IDS: Readonly<Record<Role, number>> = { USER: 1, DBA: 2, ADMIN: 3, SECURITY_ADMIN: 4, STRUCT_READ_ONLY: 5 };

export const USER_STATES = ['NORMAL', 'DISABLE', 'DELETE'] as const;
export type UserState = (typeof USER_STATES)[number];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** Stored form: sorted, de-duplicated, comma-separated. */
export function formatRoles(roles: Iterable<Role>): string {
  return [...new Set(roles)].sort((a, b) => ROLE_IDS[a] - ROLE_IDS[b]).join(',');
}

export function parseStoredRoles(text: string): Role[] {
  return text.split(',').filter(isRole);
}
