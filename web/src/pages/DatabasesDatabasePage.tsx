/**
 * `#/databases/db/<dbId>`: one database (GetPhysicalDatabase: instance, environment, DBA, owners),
 * its tables (ListTables, searched and paged on the server) and the chosen table's columns
 * (ListColumns) and indexes (ListIndexes) (`table=<TableId>` in the URL), with a link to file a
 * data export on it.
 */
import { api, type Body } from '../api.js';
import { DatabaseColumns } from '../components/DatabaseColumns.js';
import { DatabaseIndexes } from '../components/DatabaseIndexes.js';
import { DatabaseOwners, DatabasePager, hrefOf, pagingOf } from '../components/DatabasePager.js';
import { DbSearchForm, DbTable } from '../components/DbTable.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { wide } from '../components/TableHead.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { navigate, type Route } from '../router.js';

export function DatabasesDatabasePage({ dbId, route }: { dbId: string; route: Route }) {
  const { t } = useI18n();
  const q = route.query;
  const key = q.get('q') ?? '';
  const tableId = q.get('table') ?? '';
  const tableName = q.get('tname') ?? '';
  const { page, size } = pagingOf(q);
  const base = `/databases/db/${dbId}`;
  const here = { q: key, page, size, table: tableId, tname: tableName };
  const go = (changes: Record<string, string | number>) => navigate(hrefOf(base, { ...here, ...changes }));

  const head = useLoad(() => api.rpc('GetPhysicalDatabase', { DbId: dbId }).then((r) => r.Database as Body), [dbId]);
  const list = useLoad(() => api.rpc('ListTables', { DatabaseId: dbId, SearchName: key, PageNumber: page, PageSize: size }), [dbId, key, page, size]);
  const tables: Body[] = list.data?.TableList?.Table ?? [];
  const db = head.data;
  const name = db ? String(db.SchemaName) : `#${dbId}`;

  return (
    <main className="db-browser">
      <p className="db-crumbs">
        <a href="#/databases">{t('dbBackToInstances')}</a>
        {db && <> › <a href={`#/databases/instances/${db.InstanceId}`}>{t('dbBackToInstance', { name: String(db.InstanceAlias) })}</a></>}
      </p>
      <h1>{t('dbDatabaseTitle', { name })}</h1>
      <ErrorBox error={head.error} onRetry={head.reload} />
      {db && (
        <div className="card db-head">
          <dl className="facts">
            <dt>{t('dbInstance')}</dt><dd>{db.InstanceAlias}</dd>
            <dt>{t('dbEngine')}</dt><dd>{db.DbType}</dd>
            <dt>{t('dbHost')}</dt><dd className="db-host">{db.Port ? `${db.Host}:${db.Port}` : db.Host}</dd>
            <dt>{t('dbEnv')}</dt><dd><span className="tag">{db.EnvType}</span></dd>
            <dt>{t('dbDba')}</dt><dd>{db.DbaName}</dd>
            <dt>{t('dbOwners')}</dt><dd><DatabaseOwners names={db.OwnerNameList?.OwnerNames} /></dd>
            <dt>{t('dbEncoding')}</dt><dd>{db.Encoding}</dd>
          </dl>
          {/* The export page's database picker preselects the `db` of its URL (DatabasePicker). */}
          <a className="db-export-link" href={`#/new/export?db=${dbId}`}>{t('dbNewExportFor', { name })}</a>
        </div>
      )}
      <div className={tableId ? "columns db-panes" : "db-panes"}>
        <section aria-labelledby="db-tables-h">
          <h2 id="db-tables-h">{t('dbTables')}</h2>
          <DbSearchForm label={t('dbTables')} field={t('dbSearchTables')} query={key} onSearch={(k) => go({ q: k, page: 1 })} />
          {/* With the columns beside it, the tables pane leaves the comments out. */}
          <DbTable list={list} count={tables.length} empty={t('dbNoTables')} columns={[t('dbTable'), t('dbTableType'), wide(t('dbRows')), !tableId && wide(t('dbComment'))]}>
            {tables.map((tb) => (
              <tr key={tb.TableId} data-table-id={tb.TableId} className={String(tb.TableId) === tableId ? 'current' : undefined}>
                <td>
                  <a href={`#${hrefOf(base, { ...here, table: tb.TableId, tname: tb.TableName })}`} aria-current={String(tb.TableId) === tableId ? 'true' : undefined}>
                    {tb.TableName}
                  </a>
                </td>
                <td>{tb.TableType}</td>
                <td className="wide-only">{tb.NumRows ?? ''}</td>
                {!tableId && <td className="wide-only comment">{tb.Description}</td>}
              </tr>
            ))}
          </DbTable>
          <DatabasePager page={page} size={size} total={Number(list.data?.TotalCount ?? 0)} label={t('dbTables')} onPage={(n) => go({ page: n })} onSize={(n) => go({ size: n, page: 1 })} />
        </section>
        {tableId && (
          <div className="db-table-detail" key={tableId}>
            <DatabaseColumns tableId={tableId} tableName={tableName || `#${tableId}`} />
            <DatabaseIndexes tableId={tableId} tableName={tableName || `#${tableId}`} />
          </div>
        )}
      </div>
    </main>
  );
}
