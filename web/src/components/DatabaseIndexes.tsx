/**
 * A table's indexes (ListIndexes, read live from the instance; primary key included, ordered by
 * name): kind, whether unique, and the key columns in index order.
 */
import { useId } from 'react';
import { api, type Body } from '../api.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import type { MessageKey } from '../messages.js';
import { DbTable } from './DbTable.js';

/** ListIndexes `IndexType` → its label; a value the console does not know is shown as sent. */
const TYPE_LABELS: Record<string, MessageKey> = {
  Primary: 'dbIndexTypePrimary',
  Unique: 'dbIndexTypeUnique',
  Normal: 'dbIndexTypeNormal',
  FullText: 'dbIndexTypeFullText',
  Spatial: 'dbIndexTypeSpatial',
};

export function DatabaseIndexes({ tableId, tableName }: { tableId: string; tableName: string }) {
  const { t } = useI18n();
  const headingId = useId();
  const list = useLoad(() => api.rpc('ListIndexes', { TableId: tableId }), [tableId]);
  const all: Body[] = list.data?.IndexList?.Index ?? [];
  const typeOf = (v: unknown) => (typeof v === 'string' && TYPE_LABELS[v] ? t(TYPE_LABELS[v]!) : String(v ?? ''));

  return (
    <section aria-labelledby={headingId} className="db-indexes">
      <h2 id={headingId}>{t('dbIndexesOf', { name: tableName })}</h2>
      <DbTable list={list} count={all.length} empty={t('dbNoIndexes')} columns={[t('dbIndex'), t('dbIndexType'), t('dbIndexUnique'), t('dbIndexColumns')]}>
        {all.map((ix) => (
          <tr key={ix.IndexId} data-index={ix.IndexName}>
            <td className="db-name">{ix.IndexName}</td>
            <td>{typeOf(ix.IndexType)}</td>
            <td>{ix.Unique ? t('dbYes') : t('dbNo')}</td>
            <td className="db-index-columns">{((ix.IndexColumns ?? []) as string[]).join(', ')}</td>
          </tr>
        ))}
      </DbTable>
    </section>
  );
}
