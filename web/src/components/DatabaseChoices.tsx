/**
 * What the database pickers share: SearchDatabase with a keyword (typed, then asked), the fieldset
 * with the search box, the list of choices and the server's error. DatabasePicker picks one
 * (radios), DataChangeDbPicker several (checkboxes).
 */
import { useState, type ReactNode } from 'react';
import { api, type Body } from '../api.js';
import { useSearch } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { ErrorBox } from './ErrorBox.js';

export interface PickedDatabase {
  id: number;
  name: string;
  engine: string;
  env: string;
}

/** A database as SearchDatabase and GetPhysicalDatabase give it. */
export const pickedOf = (d: Body): PickedDatabase => ({ id: Number(d.DatabaseId), name: String(d.SearchName), engine: String(d.DbType ?? ''), env: String(d.EnvType ?? '') });

const searchDatabases = async (key: string) => {
  const r = await api.rpc('SearchDatabase', { SearchKey: key, PageSize: 20 });
  return ((r.SearchDatabaseList?.SearchDatabase ?? []) as Body[]).map(pickedOf);
};

/** The keyword and what it finds (every database for an empty keyword). */
export function useDatabaseSearch() {
  const [key, setKey] = useState('');
  return { key, setKey, ...useSearch(key, searchDatabases, { delayMs: 250 }) };
}

/** One choice: the control (`children`), then the database's name, engine and environment. */
export function DbOption({ db, children }: { db: PickedDatabase; children: ReactNode }) {
  return (
    <label className="db-option">
      {children}
      <span>{db.name}</span> <span className="tag">{db.engine}</span> <span className="tag">{db.env}</span>
    </label>
  );
}

export function DbChoices({ legend, hint, group, search, count, error, errorId, children, footer }: {
  legend: string;
  hint?: string;
  /** radiogroup for one choice, group for several. */
  group: 'radiogroup' | 'group';
  search: ReturnType<typeof useDatabaseSearch>;
  /** How many choices are listed (none: the "no databases" line). */
  count: number;
  error?: string | undefined;
  errorId: string;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <fieldset className={`field db-picker${error ? ' field-invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend>{legend}</legend>
      {hint && <small className="hint">{hint}</small>}
      <label>
        {t('searchDatabases')}
        <input type="search" value={search.key} onChange={(e) => search.setKey(e.target.value)} />
      </label>
      <ErrorBox error={search.failure} />
      <div className="db-list" role={group} aria-label={legend}>
        {children}
        {count === 0 && !search.failure && <p className="empty">{t('noDatabases')}</p>}
      </div>
      {footer}
      {error && <div id={errorId} className="field-error" role="alert">{error}</div>}
    </fieldset>
  );
}
