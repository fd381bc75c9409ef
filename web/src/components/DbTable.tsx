/**
 * The database browser's list pieces: the keyword search over a list (the keyword lives in the URL)
 * and the list itself (the load's error with retry, the table, the line shown when nothing is found).
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n.js';
import { ErrorBox } from './ErrorBox.js';
import { TableHead, type Column } from './TableHead.js';

/** A search form named `label`; the box follows `query` (back/forward), `onSearch` gets the trimmed keyword. */
export function DbSearchForm({ label, field, query, onSearch }: { label: string; field: string; query: string; onSearch: (key: string) => void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(query);
  useEffect(() => setDraft(query), [query]);
  return (
    <form className="filters" role="search" aria-label={label} onSubmit={(e) => { e.preventDefault(); onSearch(draft.trim()); }}>
      <label className="grow">
        {field}
        <input type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />
      </label>
      <div className="buttons"><button type="submit" className="primary">{t('search')}</button></div>
    </form>
  );
}

/** A table (a `label` makes it a named region, busy while loading) after the load's error, and `empty` when it found nothing. */
export function DbTable({ list, count, empty, label, columns, children }: {
  list: { error: unknown; loading: boolean; reload: () => Promise<void> };
  count: number;
  empty: string;
  label?: string;
  columns: readonly Column[];
  children: ReactNode;
}) {
  return (
    <>
      <ErrorBox error={list.error} onRetry={list.reload} />
      <div className="table-wrap" role={label ? 'region' : undefined} aria-label={label} aria-busy={list.loading}>
        <table className="db-table">
          <TableHead columns={columns} />
          <tbody>{children}</tbody>
        </table>
        {!list.loading && !list.error && count === 0 && <p className="empty">{empty}</p>}
      </div>
    </>
  );
}
