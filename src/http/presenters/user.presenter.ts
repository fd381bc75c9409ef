import { formatOptionalDmsTime } from '../../lib/time.js';
import { ROLE_IDS } from '../../modules/identity/roles.js';
import type { Member } from '../../modules/identity/users.js';

/**
 * DMS `User` (ListUsers `UserList.User[]`, GetUser `User`). Notification and quota-usage fields that
 * OpenDMS does not track yet are reported as DMS reports an unset value.
 */
export function presentUser(m: Member, timeZone: string, parentUidAsNumber: boolean): Record<string, unknown> {
  return {
    UserId: String(m.userId),
    Uid: m.uid,
    NickName: m.nickName,
    Mobile: m.mobile ?? undefined,
    Email: m.email ?? undefined,
    State: m.state,
    RoleIdList: { RoleIds: m.roles.map((r) => ROLE_IDS[r]) },
    RoleNameList: { RoleNames: [...m.roles] },
    MaxExecuteCount: m.maxExecuteCount ?? undefined,
    MaxResultCount: m.maxResultCount ?? undefined,
    CurExecuteCount: 0,
    CurResultCount: 0,
    LastLoginTime: formatOptionalDmsTime(m.lastLoginAt, timeZone),
    // ListUsers types ParentUid as a string, GetUser as a long; no parent account exists here.
    ParentUid: parentUidAsNumber ? 0 : '0',
    NotificationMode: undefined,
    SignatureMethod: 'NONE',
  };
}
