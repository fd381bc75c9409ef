/** Related users: ListUsers with a keyword, chosen ones as removable chips. */
import { useState } from 'react';
import { api, type Body } from '../api.js';
import { useSearch } from '../hooks.js';
import { useI18n } from '../i18n.js';

export interface PickedUser {
  id: number;
  name: string;
}

export function UserPicker({ value, onChange, error, errorId }: { value: PickedUser[]; onChange: (u: PickedUser[]) => void; error?: string | undefined; errorId: string }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const search = useSearch(key, async (k) => (((await api.rpc('ListUsers', { SearchKey: k, PageSize: 10 })).UserList?.User ?? []) as Body[]).map((u) => ({ id: Number(u.UserId), name: `${u.NickName} (${u.Uid ?? u.UserId})` })), { delayMs: 250, skipEmpty: true });
  // A failed search suggests nobody.
  const found: PickedUser[] = search.failure ? [] : search.found;

  return (
    <fieldset className={`field${error ? ' field-invalid' : ''}`}>
      <legend>{t('relatedUsers')}</legend>
      <ul className="chips">
        {value.map((u) => (
          <li key={u.id}>
            {u.name}{' '}
            <button type="button" aria-label={`${t('cancel')}: ${u.name}`} onClick={() => onChange(value.filter((x) => x.id !== u.id))}>×</button>
          </li>
        ))}
      </ul>
      <label>
        {t('searchUsers')}
        <input type="search" value={key} onChange={(e) => setKey(e.target.value)} aria-describedby={error ? errorId : undefined} />
      </label>
      <ul className="suggestions">
        {found.filter((u) => !value.some((v) => v.id === u.id)).map((u) => (
          <li key={u.id}>
            <button type="button" onClick={() => onChange([...value, u])}>+ {u.name}</button>
          </li>
        ))}
      </ul>
      {error && <div id={errorId} className="field-error" role="alert">{error}</div>}
    </fieldset>
  );
}
