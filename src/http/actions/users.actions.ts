import { AppError } from '../../errors.js';
import { isRole, ROLES, USER_STATES, type Role } from '../../modules/identity/roles.js';
import { getMember, listMembers, registerUser, setMemberState, updateMember } from '../../modules/identity/users.js';
import { presentUser } from '../presenters/user.presenter.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Users';

/** `RoleNames` is a comma-separated list of role codes. */
function parseRoleNames(text: string | undefined): Role[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const bad = items.filter((r) => !isRole(r));
  if (bad.length > 0) throw new AppError('InvalidRoleNames', `Specified parameter RoleNames is not valid: unknown role ${bad.join(', ')}; roles are ${ROLES.join(', ')}.`);
  return items as Role[];
}

/** UpdateUser & co. name the user by `Uid` (a long in the SDK) or `UidString`, which wins. */
const uidOf = (input: { Uid?: number | string | undefined; UidString?: string | undefined }): string => {
  const uid = input.UidString ?? (input.Uid === undefined ? undefined : String(input.Uid));
  if (uid === undefined) throw new AppError('MissingUid', 'Uid is mandatory for this action.');
  return uid;
};

const USER_FIELDS_COVERAGE =
  'All parameters. Response: every field; `CurExecuteCount`/`CurResultCount` are 0 and `DingRobot`, `Webhook`, `NotificationMode` absent (OpenDMS has no SQL console quotas or per-user notification channels yet), `ParentUid` is 0.';

const roleNamesParam = p.string(`Comma-separated role codes: ${ROLES.join(', ')}.`);

export const userActions = [
  defineAction({
    name: 'RegisterUser',
    group: GROUP,
    summary: 'Adds a user (by Uid) to the tenant; creates the user when the Uid is new. ADMIN only.',
    coverage: 'Complete. `Uid` is any external login name (DMS: an Alibaba Cloud account UID).',
    params: {
      Uid: p.string('External user id (the login name in OpenDMS).').req().maxLen(128),
      UserNick: p.string('Nickname; defaults to the Uid.').maxLen(128),
      Mobile: p.string('Phone number.').maxLen(32),
      RoleNames: roleNamesParam,
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await registerUser(ctx.deps, ctx.actor, { uid: input.Uid, nickName: input.UserNick, mobile: input.Mobile, roles: parseRoleNames(input.RoleNames) });
      return {};
    },
  }),
  defineAction({
    name: 'ListUsers',
    group: GROUP,
    summary: 'Paged list of the tenant\'s users, filtered by role, state and a keyword (nickname or Uid).',
    coverage: USER_FIELDS_COVERAGE,
    params: {
      Role: p.enum(ROLES, 'Only users with this role.'),
      UserState: p.enum(USER_STATES, 'Only users in this state (default: all but DELETE).'),
      SearchKey: p.string('Keyword matched against nickname and Uid.').maxLen(128),
      PageNumber: p.integer('1-based page number.').range(1, undefined).default(1),
      PageSize: p.integer('Rows per page (1-100).').range(1, 100).default(10),
    },
    response: '`TotalCount`, `UserList.User[]`',
    handler: async (input, ctx) => {
      const { members, total } = await listMembers(
        ctx.deps,
        ctx.actor,
        { role: input.Role, state: input.UserState, search: input.SearchKey },
        { number: input.PageNumber, size: input.PageSize },
      );
      return { TotalCount: total, UserList: { User: members.map((m) => presentUser(m, ctx.deps.config.timezone, false)) } };
    },
  }),
  defineAction({
    name: 'GetUser',
    group: GROUP,
    summary: 'One user of the tenant by UserId or Uid (default: the caller).',
    coverage: USER_FIELDS_COVERAGE,
    params: {
      UserId: p.string('DMS user ID.'),
      Uid: p.string('External user id.'),
    },
    response: '`User`',
    handler: async (input, ctx) => {
      let userId: number | undefined;
      if (input.UserId !== undefined) {
        userId = Number(input.UserId);
        if (!Number.isSafeInteger(userId)) throw new AppError('InvalidUserId', 'Specified parameter UserId is not valid.');
      }
      const m = await getMember(ctx.deps, ctx.actor, { userId, uid: input.Uid });
      return { User: presentUser(m, ctx.deps.config.timezone, true) };
    },
  }),
  defineAction({
    name: 'UpdateUser',
    group: GROUP,
    summary: "Changes nickname, mobile, roles and daily quotas of a user. ADMIN only; nickname and mobile (the person's, in every tenant) only of someone whose every tenant the caller administers too.",
    params: {
      Uid: p.string('External user id (a long in the DMS SDK).'),
      UidString: p.string('External user id as text; overrides Uid.'),
      UserNick: p.string('New nickname.').maxLen(128),
      Mobile: p.string('New phone number.').maxLen(32),
      RoleNames: roleNamesParam,
      MaxExecuteCount: p.long('Daily query-count quota.').range(0, undefined),
      MaxResultCount: p.long('Daily result-row quota.').range(0, undefined),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await updateMember(ctx.deps, ctx.actor, uidOf(input), {
        nickName: input.UserNick,
        mobile: input.Mobile,
        roles: parseRoleNames(input.RoleNames),
        maxExecuteCount: input.MaxExecuteCount,
        maxResultCount: input.MaxResultCount,
      });
      return {};
    },
  }),
  ...(
    [
      ['DeleteUser', 'DELETE', 'Removes a user from the tenant (the person keeps other tenants). ADMIN only.'],
      ['DisableUser', 'DISABLE', 'Disables a user in the tenant: every call of theirs there is refused. ADMIN only.'],
      ['EnableUser', 'NORMAL', 'Enables a disabled user again. ADMIN only.'],
    ] as const
  ).map(([name, state, summary]) =>
    defineAction({
      name,
      group: GROUP,
      summary,
      params: { Uid: p.string('External user id.').req() },
      response: '(common fields only)',
      handler: async (input, ctx) => {
        await setMemberState(ctx.deps, ctx.actor, input.Uid, state);
        return {};
      },
    }),
  ),
];
