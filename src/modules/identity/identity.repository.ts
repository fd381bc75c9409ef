import type { Db } from '../../storage/db.js';

/** Identity tables, one function per query. Callers pass the db or their transaction. */

export async function insertTenant(db: Db, name: string, now: number): Promise<number> {
  const row = await db.insertInto('tenant').values({ name, status: 'ACTIVE', created_at: now }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function findTenant(db: Db, id: number) {
  return db.selectFrom('tenant').selectAll().where('id', '=', id).executeTakeFirst();
}

export function countTenants(db: Db) {
  return db.selectFrom('tenant').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
}

export function listTenantsOfUser(db: Db, userId: number) {
  return db
    .selectFrom('membership')
    .innerJoin('tenant', 'tenant.id', 'membership.tenant_id')
    .select(['tenant.id', 'tenant.name', 'tenant.status', 'membership.state'])
    .where('membership.user_id', '=', userId)
    .where('membership.state', '!=', 'DELETE')
    .orderBy('tenant.id')
    .execute();
}

export async function insertUser(
  db: Db,
  u: { uid: string; nickName: string; mobile?: string | null; email?: string | null; isSysadmin?: boolean; activeTenantId?: number | null },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('app_user')
    .values({
      uid: u.uid,
      nick_name: u.nickName,
      mobile: u.mobile ?? null,
      email: u.email ?? null,
      is_sysadmin: u.isSysadmin ? 1 : 0,
      active_tenant_id: u.activeTenantId ?? null,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findUserById(db: Db, id: number) {
  return db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByUid(db: Db, uid: string) {
  return db.selectFrom('app_user').selectAll().where('uid', '=', uid).executeTakeFirst();
}

export async function updateUser(
  db: Db,
  id: number,
  patch: { nick_name?: string; mobile?: string | null; email?: string | null; active_tenant_id?: number | null; is_sysadmin?: number; password_hash?: string | null; last_login_at?: number },
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await db.updateTable('app_user').set(patch).where('id', '=', id).execute();
}

export async function insertMembership(
  db: Db,
  m: { tenantId: number; userId: number; roles: string; state?: string },
  now: number,
): Promise<void> {
  await db
    .insertInto('membership')
    .values({ tenant_id: m.tenantId, user_id: m.userId, roles: m.roles, state: m.state ?? 'NORMAL', created_at: now })
    .execute();
}

export function findMembership(db: Db, tenantId: number, userId: number) {
  return db.selectFrom('membership').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
}

export async function updateMembership(
  db: Db,
  tenantId: number,
  userId: number,
  patch: { roles?: string; state?: string; max_execute_count?: number | null; max_result_count?: number | null },
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await db.updateTable('membership').set(patch).where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
}

export interface MemberFilter {
  role?: string | undefined;
  state?: string | undefined;
  search?: string | undefined;
}

function membersQuery(db: Db, tenantId: number, f: MemberFilter) {
  let q = db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .where('membership.tenant_id', '=', tenantId);
  q = f.state ? q.where('membership.state', '=', f.state) : q.where('membership.state', '!=', 'DELETE');
  if (f.role) {
    const role = f.role;
    // roles is a sorted comma list; match whole items only.
    q = q.where((eb) =>
      eb.or([
        eb('membership.roles', '=', role),
        eb('membership.roles', 'like', `${role},%`),
        eb('membership.roles', 'like', `%,${role}`),
        eb('membership.roles', 'like', `%,${role},%`),
      ]),
    );
  }
  if (f.search) {
    const like = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('app_user.nick_name', 'like', like), eb('app_user.uid', 'like', like)]));
  }
  return q;
}

export async function listMembers(db: Db, tenantId: number, f: MemberFilter, page: { offset: number; limit: number }) {
  const [rows, total] = await Promise.all([
    membersQuery(db, tenantId, f)
      .select([
        'app_user.id',
        'app_user.uid',
        'app_user.nick_name',
        'app_user.mobile',
        'app_user.email',
        'app_user.last_login_at',
        'membership.roles',
        'membership.state',
        'membership.max_execute_count',
        'membership.max_result_count',
      ])
      .orderBy('app_user.id')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    membersQuery(db, tenantId, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export function findMember(db: Db, tenantId: number, userId: number) {
  return db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select([
      'app_user.id',
      'app_user.uid',
      'app_user.nick_name',
      'app_user.mobile',
      'app_user.email',
      'app_user.last_login_at',
      'membership.roles',
      'membership.state',
      'membership.max_execute_count',
      'membership.max_result_count',
    ])
    .where('membership.tenant_id', '=', tenantId)
    .where('membership.user_id', '=', userId)
    .executeTakeFirst();
}

export type MemberRow = NonNullable<Awaited<ReturnType<typeof findMember>>>;

export async function insertAccessKey(db: Db, k: { accessKeyId: string; userId: number; secretEnc: string }, now: number): Promise<void> {
  await db
    .insertInto('access_key')
    .values({ access_key_id: k.accessKeyId, user_id: k.userId, secret_enc: k.secretEnc, status: 'Active', created_at: now })
    .execute();
}

export function findAccessKey(db: Db, accessKeyId: string) {
  return db.selectFrom('access_key').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
}

export function listAccessKeys(db: Db, userId: number) {
  return db
    .selectFrom('access_key')
    .select(['access_key_id', 'user_id', 'status', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export async function updateAccessKeyStatus(db: Db, accessKeyId: string, status: string): Promise<void> {
  await db.updateTable('access_key').set({ status }).where('access_key_id', '=', accessKeyId).execute();
}

export async function deleteAccessKey(db: Db, accessKeyId: string): Promise<void> {
  await db.deleteFrom('access_key').where('access_key_id', '=', accessKeyId).execute();
}

/** Records use at most once a minute, so a busy key does not turn every request into a write. */
export async function touchAccessKey(db: Db, accessKeyId: string, now: number): Promise<void> {
  await db
    .updateTable('access_key')
    .set({ last_used_at: now })
    .where('access_key_id', '=', accessKeyId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', now - 60_000)]))
    .execute();
}

/** Records a nonce; false when it was already used (primary-key conflict). */
export async function insertNonce(db: Db, accessKeyId: string, nonce: string, expiresAt: number): Promise<boolean> {
  const res = await db
    .insertInto('signature_nonce')
    .values({ access_key_id: accessKeyId, nonce, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['access_key_id', 'nonce']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function deleteExpiredNonces(db: Db, now: number): Promise<number> {
  const res = await db.deleteFrom('signature_nonce').where('expires_at', '<', now).executeTakeFirst();
  return Number(res.numDeletedRows);
}

export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Inserts the setting unless the key exists; true when this call inserted it (a claim). */
export async function insertSettingIfAbsent(db: Db, key: string, value: string): Promise<boolean> {
  const res = await db.insertInto('setting').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function deleteSetting(db: Db, key: string): Promise<void> {
  await db.deleteFrom('setting').where('key', '=', key).execute();
}

export async function setSetting(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('setting')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
