/**
 * Users and roles: ListUsers (search, paging), RegisterUser (+ SetUserPassword when a password is
 * given), UpdateUser (nickname, mobile, roles), SetUserPassword, DisableUser / EnableUser /
 * DeleteUser. The server's validation messages show next to their fields.
 */
import { useState, type FormEvent } from 'react';
import { api, type Body } from '../../api.js';
import { isRefusal, AdminRefusal } from '../../components/admin/access.js';
import { CheckGroup, FormButtons, useSubmit } from '../../components/admin/forms.js';
import { AdminTable, DeleteButton, EditButton, Pager, useEditAndDelete } from '../../components/admin/list.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { useLoad } from '../../hooks.js';
import { useI18n } from '../../i18n.js';
import { useTime } from '../../session.js';

/** The DMS system roles (the server validates RoleNames). */
export const ROLES = ['USER', 'DBA', 'ADMIN', 'SECURITY_ADMIN', 'STRUCT_READ_ONLY'] as const;
const PAGE_SIZE = 20;

interface User {
  UserId: string;
  Uid: string;
  NickName: string;
  Mobile?: string;
  State: string;
  RoleNameList: { RoleNames: string[] };
  LastLoginTime?: string;
}

function PasswordForm({ uid, onDone }: { uid: string; onDone?: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const s = useSubmit(['Password']);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (await s.run(() => api.rpc('SetUserPassword', { Uid: uid, Password: password }))) {
      setPassword('');
      setDone(true);
      onDone?.();
    }
  };
  return (
    <form onSubmit={submit} aria-label={t('admSetPasswordFor', { uid })} className="admin-form">
      <h3>{t('admSetPasswordFor', { uid })}</h3>
      <Field label={t('admNewPassword')} error={s.fields.Password} hint={t('admPasswordHint')}>
        {(f) => <input id={f.id} type="password" autoComplete="new-password" aria-invalid={f.invalid} aria-describedby={f.describedBy} value={password} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
      <ErrorBox error={s.general} />
      {done && <p className="notice" role="status">{t('admPasswordSet', { uid })}</p>}
      <button type="submit" disabled={s.busy}>{t('admSetPassword')}</button>
    </form>
  );
}

function UserForm({ user, onSaved, onCancel }: { user?: User; onSaved: (uid: string) => void; onCancel?: () => void }) {
  const { t } = useI18n();
  const [uid, setUid] = useState(user?.Uid ?? '');
  const [nick, setNick] = useState(user?.NickName ?? '');
  const [mobile, setMobile] = useState(user?.Mobile ?? '');
  const [roles, setRoles] = useState<string[]>(user?.RoleNameList.RoleNames ?? ['USER']);
  const [password, setPassword] = useState('');
  const [note, setNote] = useState('');
  // RegisterUser went through but the password was refused: the next submit only sets the password.
  const [registered, setRegistered] = useState<string | null>(null);
  const s = useSubmit(['Uid', 'UidString', 'UserNick', 'Mobile', 'RoleNames', 'Password']);
  const title = user ? t('admEditUser', { uid: user.Uid }) : t('admAddUser');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setNote('');
    const roleNames = ROLES.filter((r) => roles.includes(r)).join(',');
    const saved = await s.run(async () => {
      if (user) await api.rpc('UpdateUser', { UidString: user.Uid, UserNick: nick, Mobile: mobile, RoleNames: roleNames || ',' });
      else {
        if (registered !== uid.trim()) {
          await api.rpc('RegisterUser', { Uid: uid.trim(), UserNick: nick, Mobile: mobile, RoleNames: roleNames });
          setRegistered(uid.trim());
          onSaved(uid.trim());
        }
        if (password) {
          setNote(t('admUserAdded', { uid: uid.trim() }));
          await api.rpc('SetUserPassword', { Uid: uid.trim(), Password: password });
        }
      }
    });
    if (saved) {
      onSaved(user?.Uid ?? uid.trim());
      if (!user) {
        setNote(password ? t('admUserAddedWithPassword', { uid: uid.trim() }) : t('admUserAdded', { uid: uid.trim() }));
        setRegistered(null);
        setUid('');
        setNick('');
        setMobile('');
        setPassword('');
        setRoles(['USER']);
      }
    }
  };

  return (
    <form onSubmit={submit} aria-label={title} className="admin-form card">
      <h2>{title}</h2>
      <div className="row">
        {!user && (
          <Field label={t('admUid')} error={s.fields.Uid} hint={t('admUidHint')}>
            {(f) => <input id={f.id} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={uid} onChange={(e) => setUid(e.target.value)} autoComplete="off" />}
          </Field>
        )}
        <Field label={t('admNickName')} error={s.fields.UserNick}>
          {(f) => <input id={f.id} autoFocus={Boolean(user)} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={nick} onChange={(e) => setNick(e.target.value)} />}
        </Field>
        <Field label={t('admMobile')} error={s.fields.Mobile}>
          {(f) => <input id={f.id} type="tel" aria-invalid={f.invalid} aria-describedby={f.describedBy} value={mobile} onChange={(e) => setMobile(e.target.value)} />}
        </Field>
      </div>
      <CheckGroup legend={t('admRoles')} options={ROLES} value={roles} onChange={setRoles} error={s.fields.RoleNames} />
      {!user && (
        <Field label={t('admInitialPassword')} error={s.fields.Password} hint={t('admPasswordHint')}>
          {(f) => <input id={f.id} type="password" autoComplete="new-password" aria-invalid={f.invalid} aria-describedby={f.describedBy} value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
      )}
      <ErrorBox error={s.general} />
      {note && <p className="notice" role="status">{note}</p>}
      <FormButtons busy={s.busy} editing={Boolean(user)} label={t('admAddUserButton')} onCancel={onCancel} />
    </form>
  );
}

export function UsersPage() {
  const { t } = useI18n();
  const time = useTime();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const list = useLoad(() => api.rpc('ListUsers', { SearchKey: search.trim(), PageNumber: page, PageSize: PAGE_SIZE }), [search, page]);
  const users = ((list.data?.UserList?.User ?? []) as Body[]) as User[];
  const total = Number(list.data?.TotalCount ?? 0);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  const { editing, setEditing, error: actionError, call, remove } = useEditAndDelete((uid: string) => api.rpc('DeleteUser', { Uid: uid }), list.reload);
  const current = users.find((u) => u.Uid === editing);
  const act = (action: 'DisableUser' | 'EnableUser', uid: string) => call(() => api.rpc(action, { Uid: uid }));

  if (isRefusal(list.error)) return <AdminRefusal error={list.error} />;
  return (
    <>
      <h2>{t('admUsers')}</h2>
      <div className="filters">
        <label className="grow">
          {t('admSearchUsers')}
          <input type="search" value={search} onChange={(e) => { setSearch(e.target.value); setPage(1); }} />
        </label>
      </div>
      <ErrorBox error={list.error} onRetry={() => void list.reload()} />
      <ErrorBox error={actionError} />
      <AdminTable label={t('admUsers')} columns={[t('admUid'), t('admNickName'), t('admRoles'), t('admState'), { label: t('admLastLogin'), className: 'wide-only' }, t('admActions')]}>
        {users.map((u) => (
          <tr key={u.UserId} data-uid={u.Uid}>
            <td>{u.Uid}</td>
            <td>{u.NickName}</td>
            <td>{u.RoleNameList.RoleNames.join(', ')}</td>
            <td><span className={`badge ${u.State === 'NORMAL' ? 'badge-success' : 'badge-cancel'}`}>{u.State === 'NORMAL' ? t('admEnabled') : t('admDisabled')}</span></td>
            <td className="wide-only">{u.LastLoginTime ? time(u.LastLoginTime) : '—'}</td>
            <td className="row-actions">
              <EditButton name={u.Uid} onClick={() => setEditing(u.Uid)} />
              {u.State === 'NORMAL' ? (
                <button type="button" aria-label={t('admDisableNamed', { name: u.Uid })} onClick={() => void act('DisableUser', u.Uid)}>{t('admDisable')}</button>
              ) : (
                <button type="button" aria-label={t('admEnableNamed', { name: u.Uid })} onClick={() => void act('EnableUser', u.Uid)}>{t('admEnable')}</button>
              )}
              <DeleteButton name={u.Uid} onConfirm={() => void remove(u.Uid)} />
            </td>
          </tr>
        ))}
        {!list.loading && users.length === 0 && (
          <tr><td colSpan={6} className="empty">{t('admNoUsers')}</td></tr>
        )}
      </AdminTable>
      <Pager page={page} pages={pages} onPage={setPage} />
      {current && (
        <div className="card" key={current.Uid}>
          <UserForm user={current} onSaved={() => void list.reload()} onCancel={() => setEditing(null)} />
          <PasswordForm uid={current.Uid} />
        </div>
      )}
      <UserForm onSaved={() => void list.reload()} />
    </>
  );
}
