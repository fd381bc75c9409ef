/**
 * Database picker: SearchDatabase with a keyword, results as a radio group. A `db=<DbId>` in the
 * page's URL (the database browser's "New data export" link) preselects that database.
 */
import { useEffect } from 'react';
import { api, type Body } from '../api.js';
import { useI18n } from '../i18n.js';
import { currentRoute } from '../router.js';
import { DbChoices, DbOption, pickedOf, useDatabaseSearch, type PickedDatabase } from './DatabaseChoices.js';

export type { PickedDatabase } from './DatabaseChoices.js';

export function DatabasePicker({ value, onChange, error, errorId }: { value: PickedDatabase | undefined; onChange: (d: PickedDatabase) => void; error?: string | undefined; errorId: string }) {
  const { t } = useI18n();
  const search = useDatabaseSearch();
  const { setKey, setFailure } = search;

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
        onChange(pickedOf(d));
        setKey(String(d.SchemaName ?? ''));
      })
      .catch((e) => live && setFailure(e));
    return () => {
      live = false;
    };
    // Only on mount: later picks are the user's.
  }, []);

  return (
    <DbChoices legend={t('pickDatabase')} group="radiogroup" search={search} count={search.found.length} error={error} errorId={errorId}>
      {search.found.map((d) => (
        <DbOption key={d.id} db={d}>
          <input type="radio" name="database" value={d.id} checked={value?.id === d.id} onChange={() => onChange(d)} />
        </DbOption>
      ))}
    </DbChoices>
  );
}
