/**
 * AccessKeys of a user (ListAccessKeys, CreateAccessKey, UpdateAccessKey, DeleteAccessKey). A new
 * key's secret is shown once, from the create answer kept only in this page's memory: the server
 * never returns it again, so a reload cannot show it.
 */
import { useState } from 'react';
import { api, type Body } from '../../api.js';
import { AdminRefusal, isRefusal } from '../../components/admin/access.js';
import { SecretOnce } from '../../components/admin/forms.js';
import { AdminTable, DeleteButton, useRowAction } from '../../components/admin/list.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { useLoad } from '../../hooks.js';
import { useI18n } from '../../i18n.js';
import { useSession, useTime } from '../../session.js';

interface AccessKey {
  AccessKeyId: string;
  Status: 'Active' | 'Inactive';
  CreateDate: string;
  LastUsedDate?: string;
}

export function AccessKeysPage() {
  const { t } = useI18n();
  const time = useTime();
  const session = useSession();
  const [search, setSearch] = useState('');
  const [userId, setUserId] = useState(String(session.User.UserId));
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const users = useLoad(() => api.rpc('ListUsers', { SearchKey: search.trim(), PageSize: 50 }), [search]);
  const keys = useLoad(() => api.rpc('ListAccessKeys', { UserId: userId }), [userId]);
  const list = ((keys.data?.AccessKeys?.AccessKey ?? []) as Body[]) as AccessKey[];
  const options = ((users.data?.UserList?.User ?? []) as Body[]).map((u) => ({ id: String(u.UserId), label: `${u.NickName} (${u.Uid})` }));
  if (!options.some((o) => o.id === userId)) options.unshift({ id: userId, label: userId === String(session.User.UserId) ? `${session.User.NickName} (${session.User.Uid})` : `#${userId}` });

  const { error, call } = useRowAction(keys.reload);
  const create = () =>
    call(async () => {
      const r = await api.rpc('CreateAccessKey', { UserId: userId });
      setCreated({ id: String(r.AccessKey.AccessKeyId), secret: String(r.AccessKey.AccessKeySecret) });
    });

  if (isRefusal(keys.error)) return <AdminRefusal error={keys.error} />;
  return (
    <>
      <h2>{t('admAccessKeys')}</h2>
      <p className="hint">{t('admAccessKeysHint')}</p>
      <div className="filters">
        <label>
          {t('admFindUser')}
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label className="grow">
          {t('admKeyOwner')}
          <select value={userId} onChange={(e) => { setUserId(e.target.value); setCreated(null); }}>
            {options.map((o) => <option key={o.id} value={o.id}>{o.label}</option>)}
          </select>
        </label>
      </div>
      <ErrorBox error={keys.error} onRetry={() => void keys.reload()} />
      <ErrorBox error={error} />
      {created && (
        <SecretOnce title={t('admKeyCreated')} secret={created.secret} onDone={() => setCreated(null)}>
          <dl className="facts">
            <dt>{t('admAccessKeyId')}</dt>
            <dd data-testid="new-key-id">{created.id}</dd>
          </dl>
        </SecretOnce>
      )}
      <AdminTable label={t('admAccessKeys')} columns={[t('admAccessKeyId'), t('admState'), t('admCreated'), t('admLastUsed'), t('admActions')]}>
        {list.map((k) => (
          <tr key={k.AccessKeyId} data-key-id={k.AccessKeyId}>
            <td><code>{k.AccessKeyId}</code></td>
            <td><span className={`badge ${k.Status === 'Active' ? 'badge-success' : 'badge-cancel'}`}>{k.Status === 'Active' ? t('admActive') : t('admInactive')}</span></td>
            <td>{time(k.CreateDate)}</td>
            <td>{k.LastUsedDate ? time(k.LastUsedDate) : '—'}</td>
            <td className="row-actions">
              {k.Status === 'Active' ? (
                <button type="button" aria-label={t('admDisableNamed', { name: k.AccessKeyId })} onClick={() => void call(() => api.rpc('UpdateAccessKey', { UserAccessKeyId: k.AccessKeyId, Status: 'Inactive' }))}>{t('admDisable')}</button>
              ) : (
                <button type="button" aria-label={t('admEnableNamed', { name: k.AccessKeyId })} onClick={() => void call(() => api.rpc('UpdateAccessKey', { UserAccessKeyId: k.AccessKeyId, Status: 'Active' }))}>{t('admEnable')}</button>
              )}
              <DeleteButton name={k.AccessKeyId} onConfirm={() => void call(() => api.rpc('DeleteAccessKey', { UserAccessKeyId: k.AccessKeyId }))} />
            </td>
          </tr>
        ))}
        {!keys.loading && list.length === 0 && <tr><td colSpan={5} className="empty">{t('admNoKeys')}</td></tr>}
      </AdminTable>
      <div className="buttons">
        <button type="button" className="primary" onClick={() => void create()}>{t('admCreateKey')}</button>
      </div>
    </>
  );
}
