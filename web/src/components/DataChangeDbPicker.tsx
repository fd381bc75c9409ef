/**
 * Several databases for a data change: SearchDatabase with a keyword, results as checkboxes; the
 * chosen ones stay listed (and can be unticked) when the keyword changes. DatabasePicker picks one
 * (exports); a data change runs on each database it names (DbItemList).
 */
import { useEffect, useState } from 'react';
import { api, type Body } from '../api.js';
import { useI18n } from '../i18n.js';
import type { PickedDatabase } from './DatabasePicker.js';
import { ErrorBox } from './ErrorBox.js';

export function DataChangeDbPicker({ value, onChange, error, errorId }: { value: PickedDatabase[]; onChange: (d: PickedDatabase[]) => void; error?: string | undefined; errorId: string }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [found, setFound] = useState<PickedDatabase[]>([]);
  const [failure, setFailure] = useState<unknown>(null);

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

  const shown = [...value, ...found.filter((d) => !value.some((v) => v.id === d.id))];
  const toggle = (d: PickedDatabase, on: boolean) => onChange(on ? [...value, d] : value.filter((v) => v.id !== d.id));
  return (
    <fieldset className={`field db-picker${error ? ' field-invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend>{t('dcDatabases')}</legend>
      <small className="hint">{t('dcDatabasesHint')}</small>
      <label>
        {t('searchDatabases')}
        <input type="search" value={key} onChange={(e) => setKey(e.target.value)} />
      </label>
      <ErrorBox error={failure} />
      <div className="db-list" role="group" aria-label={t('dcDatabases')}>
        {shown.map((d) => (
          <label key={d.id} className="db-option">
            <input type="checkbox" name="databases" value={d.id} checked={value.some((v) => v.id === d.id)} onChange={(e) => toggle(d, e.target.checked)} />
            <span>{d.name}</span> <span className="tag">{d.engine}</span> <span className="tag">{d.env}</span>
          </label>
        ))}
        {shown.length === 0 && !failure && <p className="empty">{t('noDatabases')}</p>}
      </div>
      {value.length > 0 && <p className="hint" aria-live="polite">{t('dcChosenCount', { n: value.length })}</p>}
      {error && <div id={errorId} className="field-error" role="alert">{error}</div>}
    </fieldset>
  );
}
