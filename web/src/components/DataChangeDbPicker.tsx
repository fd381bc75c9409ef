/**
 * Several databases for a data change: SearchDatabase with a keyword, results as checkboxes; the
 * chosen ones stay listed (and can be unticked) when the keyword changes. DatabasePicker picks one
 * (exports); a data change runs on each database it names (DbItemList).
 */
import { useI18n } from '../i18n.js';
import { DbChoices, DbOption, useDatabaseSearch, type PickedDatabase } from './DatabaseChoices.js';

export function DataChangeDbPicker({ value, onChange, error, errorId }: { value: PickedDatabase[]; onChange: (d: PickedDatabase[]) => void; error?: string | undefined; errorId: string }) {
  const { t } = useI18n();
  const search = useDatabaseSearch();
  const shown = [...value, ...search.found.filter((d) => !value.some((v) => v.id === d.id))];
  const toggle = (d: PickedDatabase, on: boolean) => onChange(on ? [...value, d] : value.filter((v) => v.id !== d.id));
  return (
    <DbChoices
      legend={t('dcDatabases')}
      hint={t('dcDatabasesHint')}
      group="group"
      search={search}
      count={shown.length}
      error={error}
      errorId={errorId}
      footer={value.length > 0 && <p className="hint" aria-live="polite">{t('dcChosenCount', { n: value.length })}</p>}
    >
      {shown.map((d) => (
        <DbOption key={d.id} db={d}>
          <input type="checkbox" name="databases" value={d.id} checked={value.some((v) => v.id === d.id)} onChange={(e) => toggle(d, e.target.checked)} />
        </DbOption>
      ))}
    </DbChoices>
  );
}
