/**
 * `#/databases/instances/<id>`: one instance (GetInstance by the address its databases carry) and
 * its databases (ListDatabases, paged and searched on the server) with environment, DBA and owners.
 */
import { api, type Body } from '../api.js';
import { DatabaseOwners, DatabasePager, hrefOf, pagingOf } from '../components/DatabasePager.js';
import { DbSearchForm, DbTable } from '../components/DbTable.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { wide } from '../components/TableHead.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { navigate, type Route } from '../router.js';

export function DatabasesInstancePage({ instanceId, route }: { instanceId: string; route: Route }) {
  const { t } = useI18n();
  const key = route.query.get('q') ?? '';
  const { page, size } = pagingOf(route.query);
  const base = `/databases/instances/${instanceId}`;
  const go = (changes: Record<string, string | number>) => navigate(hrefOf(base, { q: key, page, size, ...changes }));

  // ListInstances has no id filter and GetInstance takes the address: read it from one database.
  const head = useLoad(async () => {
    const first: Body | undefined = (await api.rpc('ListDatabases', { InstanceId: instanceId, PageSize: 1 })).DatabaseList?.Database?.[0];
    if (!first) return undefined;
    return (await api.rpc('GetInstance', { Host: first.Host, Port: first.Port, Sid: first.Sid })).Instance as Body;
  }, [instanceId]);
  const list = useLoad(() => api.rpc('ListDatabases', { InstanceId: instanceId, SearchKey: key, PageNumber: page, PageSize: size }), [instanceId, key, page, size]);
  const rows: Body[] = list.data?.DatabaseList?.Database ?? [];
  const inst = head.data;
  const name = inst ? String(inst.InstanceAlias) : `#${instanceId}`;

  return (
    <main className="db-browser">
      <p><a href="#/databases">{t('dbBackToInstances')}</a></p>
      <h1>{t('dbInstanceTitle', { name })}</h1>
      <ErrorBox error={head.error} onRetry={head.reload} />
      {inst && (
        <dl className="facts card">
          <dt>{t('dbEngine')}</dt><dd>{inst.InstanceType}</dd>
          <dt>{t('dbHost')}</dt><dd className="db-host">{inst.Port ? `${inst.Host}:${inst.Port}` : inst.Host}</dd>
          <dt>{t('dbEnv')}</dt><dd><span className="tag">{inst.EnvType}</span></dd>
          <dt>{t('dbDba')}</dt><dd>{inst.DbaNickName}</dd>
          <dt>{t('dbOwners')}</dt><dd><DatabaseOwners names={inst.OwnerNameList?.OwnerNames} /></dd>
          <dt>{t('dbState')}</dt><dd>{inst.State}</dd>
        </dl>
      )}
      <h2>{t('dbDatabasesOf')}</h2>
      <DbSearchForm label={t('dbDatabasesOf')} field={t('dbSearchDatabases')} query={key} onSearch={(k) => go({ q: k, page: 1 })} />
      <DbTable list={list} count={rows.length} empty={t('dbNoDatabases')} label={t('dbDatabasesOf')} columns={[t('dbDatabase'), t('dbEnv'), t('dbOwners'), wide(t('dbDba')), wide(t('dbEncoding')), wide(t('dbState'))]}>
        {rows.map((d) => (
          <tr key={d.DatabaseId} data-db-id={d.DatabaseId}>
            <td><a href={`#/databases/db/${d.DatabaseId}`}>{d.SchemaName}</a></td>
            <td><span className="tag">{d.EnvType}</span></td>
            <td><DatabaseOwners names={d.OwnerNameList?.OwnerNames} /></td>
            <td className="wide-only">{d.DbaName}</td>
            <td className="wide-only">{d.Encoding}</td>
            <td className="wide-only">{d.State}</td>
          </tr>
        ))}
      </DbTable>
      <DatabasePager page={page} size={size} total={Number(list.data?.TotalCount ?? 0)} label={t('dbDatabasesOf')} onPage={(n) => go({ page: n })} onSize={(n) => go({ size: n, page: 1 })} />
    </main>
  );
}
