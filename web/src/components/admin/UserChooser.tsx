/** Several users of the tenant (ListUsers with a keyword), chosen ones as removable chips; for approval nodes. */
import { useId, useState } from 'react';
import { api, type Body } from '../../api.js';
import { useSearch } from '../../hooks.js';
import { useI18n } from '../../i18n.js';

export interface ChosenUser {
  id: number;
  name: string;
}

export function UserChooser({ legend, value, onChange, error }: { legend: string; value: ChosenUser[]; onChange: (u: ChosenUser[]) => void; error?: string | undefined }) {
  const { t } = useI18n();
  const errId = `${useId()}-error`;
  const [key, setKey] = useState('');
  const search = useSearch(key, async (k) => (((await api.rpc('ListUsers', { SearchKey: k, UserState: 'NORMAL', PageSize: 10 })).UserList?.User ?? []) as Body[]).map((u) => ({ id: Number(u.UserId), name: `${u.NickName} (${u.Uid})` })), { delayMs: 200, skipEmpty: true });
  // A failed search suggests nobody.
  const found: ChosenUser[] = search.failure ? [] : search.found;

  return (
    <fieldset className={`field${error ? ' field-invalid' : ''}`} aria-describedby={error ? errId : undefined}>
      <legend>{legend}</legend>
      <ul className="chips" aria-label={legend}>
        {value.map((u) => (
          <li key={u.id}>
            {u.name}{' '}
            <button type="button" aria-label={t('admRemoveNamed', { name: u.name })} onClick={() => onChange(value.filter((x) => x.id !== u.id))}>×</button>
          </li>
        ))}
      </ul>
      <label>
        {t('admFindUser')}
        <input type="search" value={key} onChange={(e) => setKey(e.target.value)} aria-invalid={Boolean(error)} aria-describedby={error ? errId : undefined} />
      </label>
      <ul className="suggestions">
        {found.filter((u) => !value.some((v) => v.id === u.id)).map((u) => (
          <li key={u.id}>
            <button type="button" aria-label={t('admAddNamed', { name: u.name })} onClick={() => { onChange([...value, u]); setKey(''); }}>+ {u.name}</button>
          </li>
        ))}
      </ul>
      {error && <div id={errId} className="field-error" role="alert">{error}</div>}
    </fieldset>
  );
}
