/** A table's columns (ListColumns, read live from the instance; not paged by the Action), filtered by name or type here. */
import { useId, useState } from 'react';
import { api, type Body } from '../api.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { DbTable } from './DbTable.js';
import { wide } from './TableHead.js';

export function DatabaseColumns({ tableId, tableName }: { tableId: string; tableName: string }) {
  const { t } = useI18n();
  const headingId = useId();
  const [filter, setFilter] = useState('');
  const list = useLoad(() => api.rpc('ListColumns', { TableId: tableId }), [tableId]);
  const all: Body[] = list.data?.ColumnList?.Column ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = needle ? all.filter((c) => `${c.ColumnName} ${c.ColumnType}`.toLowerCase().includes(needle)) : all;
  const yesNo = (v: unknown) => (v ? t('dbYes') : t('dbNo'));

  return (
    <section aria-labelledby={headingId} className="db-columns">
      <h2 id={headingId}>{t('dbColumnsOf', { name: tableName })}</h2>
      <div className="filters">
        <label className="grow">
          {t('dbFilterColumns')}
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
      </div>
      <DbTable list={list} count={shown.length} empty={t('dbNoColumns')} columns={[t('dbColumn'), t('dbColumnType'), t('dbNullable'), wide(t('dbDefault')), wide(t('dbAutoIncrement')), wide(t('dbComment'))]}>
        {shown.map((c) => (
          <tr key={c.ColumnId} data-column={c.ColumnName}>
            <td className="db-name">{c.ColumnName}</td>
            <td className="db-type">{c.ColumnType}</td>
            <td>{yesNo(c.Nullable)}</td>
            <td className="wide-only">{c.DefaultValue ?? ''}</td>
            <td className="wide-only">{yesNo(c.AutoIncrement)}</td>
            <td className="wide-only comment">{c.Description}</td>
          </tr>
        ))}
      </DbTable>
    </section>
  );
}
