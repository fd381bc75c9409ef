/**
 * `#/databases`: the tenant's instances (ListInstances: type, host, environment, DBA) or a search
 * over all databases (SearchDatabase: environment, owners), both paged and filtered on the server.
 * An instance leads to its databases (DatabasesInstancePage), a database to its tables.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, type Body } from '../api.js';
import { DatabaseOwners, DatabasePager, DB_ENVS, hrefOf, pagingOf } from '../components/DatabasePager.js';
import { DbTable } from '../components/DbTable.js';
import { wide } from '../components/TableHead.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { navigate, type Route } from '../router.js';

export function DatabasesPage({ route }: { route: Route }) {
  const { t } = useI18n();
  const q = route.query;
  const view = q.get('view') === 'search' ? 'search' : 'instances';
  const key = q.get('q') ?? '';
  const env = q.get('env') ?? '';
  const { page, size } = pagingOf(q);
  const [draft, setDraft] = useState({ key, env });
  // Back/forward changes the URL: the form shows what is listed.
  useEffect(() => setDraft({ key, env }), [key, env]);

  const go = (changes: Record<string, string | number>) => navigate(hrefOf('/databases', { view, q: key, env, page, size, ...changes }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    go({ q: draft.key.trim(), env: draft.env, page: 1 });
  };
  const switchTo = (v: 'instances' | 'search') => {
    setDraft({ key: '', env: '' });
    navigate(hrefOf('/databases', { view: v === 'instances' ? undefined : v }));
  };

  return (
    <main className="db-browser">
      <h1>{t('dbTitle')}</h1>
      <div role="tablist" aria-label={t('dbViews')} className="tabs">
        {(['instances', 'search'] as const).map((v) => (
          <button key={v} type="button" role="tab" aria-selected={v === view} className={v === view ? 'tab active' : 'tab'} onClick={() => switchTo(v)}>
            {t(v === 'instances' ? 'dbTabInstances' : 'dbTabSearch')}
          </button>
        ))}
      </div>
      <form className="filters" role="search" aria-label={t('filters')} onSubmit={apply}>
        <label className="grow">
          {t(view === 'instances' ? 'dbSearchInstances' : 'dbSearchDatabases')}
          <input type="search" value={draft.key} onChange={(e) => setDraft({ ...draft, key: e.target.value })} />
        </label>
        <label>
          {t('dbEnv')}
          <select value={draft.env} onChange={(e) => setDraft({ ...draft, env: e.target.value })}>
            <option value="">{t('dbAnyEnv')}</option>
            {DB_ENVS.map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
        </label>
        <div className="buttons">
          <button type="submit" className="primary">{t('search')}</button>
        </div>
      </form>
      {view === 'instances' ? (
        <InstanceList search={key} env={env} page={page} size={size} go={go} />
      ) : (
        <DatabaseSearch search={key} env={env} page={page} size={size} go={go} />
      )}
    </main>
  );
}

interface ListProps {
  search: string;
  env: string;
  page: number;
  size: number;
  go: (changes: Record<string, string | number>) => void;
}

function InstanceList({ search, env, page, size, go }: ListProps) {
  const { t } = useI18n();
  const list = useLoad(() => api.rpc('ListInstances', { SearchKey: search, EnvType: env, PageNumber: page, PageSize: size }), [search, env, page, size]);
  const rows: Body[] = list.data?.InstanceList?.Instance ?? [];
  return (
    <>
      <DbTable list={list} count={rows.length} empty={t('dbNoInstances')} label={t('dbTabInstances')} columns={[t('dbInstance'), t('dbEngine'), wide(t('dbHost')), t('dbEnv'), t('dbDba'), wide(t('dbState'))]}>
        {rows.map((i) => (
          <tr key={i.InstanceId} data-instance-id={i.InstanceId}>
            <td><a href={`#/databases/instances/${i.InstanceId}`}>{i.InstanceAlias}</a></td>
            <td>{i.InstanceType}</td>
            <td className="wide-only db-host">{i.Port ? `${i.Host}:${i.Port}` : i.Host}</td>
            <td><span className="tag">{i.EnvType}</span></td>
            <td>{i.DbaNickName}</td>
            <td className="wide-only">{i.State}</td>
          </tr>
        ))}
      </DbTable>
      <DatabasePager page={page} size={size} total={Number(list.data?.TotalCount ?? 0)} label={t('dbTabInstances')} onPage={(n) => go({ page: n })} onSize={(n) => go({ size: n, page: 1 })} />
    </>
  );
}

function DatabaseSearch({ search, env, page, size, go }: ListProps) {
  const { t } = useI18n();
  const list = useLoad(
    () => api.rpc('SearchDatabase', { SearchKey: search, EnvType: env, SearchTarget: 'SINGLE_DB', PageNumber: page, PageSize: size }),
    [search, env, page, size],
  );
  const rows: Body[] = list.data?.SearchDatabaseList?.SearchDatabase ?? [];
  return (
    <>
      <DbTable list={list} count={rows.length} empty={t('dbNoDatabases')} label={t('dbTabSearch')} columns={[t('dbDatabase'), t('dbEngine'), t('dbEnv'), t('dbOwners'), wide(t('dbHost'))]}>
        {rows.map((d) => (
          <tr key={d.DatabaseId} data-db-id={d.DatabaseId}>
            <td><a href={`#/databases/db/${d.DatabaseId}`}>{d.SearchName}</a></td>
            <td>{d.DbType}</td>
            <td><span className="tag">{d.EnvType}</span></td>
            <td><DatabaseOwners names={d.OwnerNameList?.OwnerNames} /></td>
            <td className="wide-only db-host">{d.Port ? `${d.Host}:${d.Port}` : d.Host}</td>
          </tr>
        ))}
      </DbTable>
      <DatabasePager page={page} size={size} total={Number(list.data?.TotalCount ?? 0)} label={t('dbTabSearch')} onPage={(n) => go({ page: n })} onSize={(n) => go({ size: n, page: 1 })} />
    </>
  );
}
