/** Several users of the tenant (ListUsers with a keyword), chosen ones as removable chips; for approval nodes. */
import { useEffect, useId, useState } from 'react';
import { api, type Body } from '../../api.js';
import { useI18n } from '../../i18n.js';

export interface ChosenUser {
  id: number;
  name: string;
}

export function UserChooser({ legend, value, onChange, error }: { legend: string; value: ChosenUser[]; onChange: (u: ChosenUser[]) => void; error?: string | undefined }) {
  const { t } = useI18n();
  const errId = `${useId()}-error`;
  const [key, setKey] = useState('');
  const [found, setFound] = useState<ChosenUser[]>([]);

  useEffect(() => {
    if (key.trim() === '') return setFound([]);
    let live = true;
    const timer = setTimeout(() => {
      api
        .rpc('ListUsers', { SearchKey: key.trim(), UserState: 'NORMAL', PageSize: 10 })
        .then((r) => live && setFound(((r.UserList?.User ?? []) as Body[]).map((u) => ({ id: Number(u.UserId), name: `${u.NickName} (${u.Uid})` }))))
        .catch(() => live && setFound([]));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);

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
