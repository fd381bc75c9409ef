/**
 * Database picker: SearchDatabase with a keyword, results as a radio group. A `db=<DbId>` in the
 * page's URL (the database browser's "New data export" link) preselects that database.
 */
import { useEffect, useState } from 'react';
import { api, type Body } from '../api.js';
import { useI18n } from '../i18n.js';
import { currentRoute } from '../router.js';
import { ErrorBox } from './ErrorBox.js';

export interface PickedDatabase {
  id: number;
  name: string;
  engine: string;
  env: string;
}

export function DatabasePicker({ value, onChange, error, errorId }: { value: PickedDatabase | undefined; onChange: (d: PickedDatabase) => void; error?: string | undefined; errorId: string }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [found, setFound] = useState<PickedDatabase[]>([]);
  const [failure, setFailure] = useState<unknown>(null);

  // Preselection from the URL, once: the database is picked and searched for, so it shows checked.
  useEffect(() => {
    const wanted = currentRoute().query.get('db');
    if (value || !wanted || !/^\d+$/.test(wanted)) return;
    let live = true;
    api
      .rpc('GetPhysicalDatabase', { DbId: wanted })
      .then((r) => {
        if (!live) return;
        const d: Body = r.Database;
        onChange({ id: Number(d.DatabaseId), name: String(d.SearchName), engine: String(d.DbType ?? ''), env: String(d.EnvType ?? '') });
        setKey(String(d.SchemaName ?? ''));
      })
      .catch((e) => live && setFailure(e));
    return () => {
      live = false;
    };
    // Only on mount: later picks are the user's.
  }, []);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api
        .rpc('SearchDatabase', { SearchKey: key.trim(), PageSize: 20 })
        .then((r) => {
          if (!live) return;
          const list: Body[] = r.SearchDatabaseList?.SearchDatabase ?? [];
          setFound(list.map((d) => ({ id: Number(d.DatabaseId), name: String(d.SearchName), engine: String(d.DbType ?? ''), env: String(d.EnvType ?? '') })));
          setFailure(null);
        })
        .catch((e) => live && setFailure(e));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);

  return (
    <fieldset className={`field db-picker${error ? ' field-invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend>{t('pickDatabase')}</legend>
      <label>
        {t('searchDatabases')}
        <input type="search" value={key} onChange={(e) => setKey(e.target.value)} />
      </label>
      <ErrorBox error={failure} />
      <div className="db-list" role="radiogroup" aria-label={t('pickDatabase')}>
        {found.map((d) => (
          <label key={d.id} className="db-option">
            <input type="radio" name="database" value={d.id} checked={value?.id === d.id} onChange={() => onChange(d)} />
            <span>{d.name}</span> <span className="tag">{d.engine}</span> <span className="tag">{d.env}</span>
          </label>
        ))}
        {found.length === 0 && !failure && <p className="empty">{t('noDatabases')}</p>}
      </div>
      {error && <div id={errorId} className="field-error" role="alert">{error}</div>}
    </fieldset>
  );
}
