import { useState, type FormEvent } from 'react';
import { api, type SessionInfo } from '../api.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Field } from '../components/Field.js';
import { useI18n } from '../i18n.js';

export function LoginPage({ expired, onLoggedIn }: { expired: boolean; onLoggedIn: (s: SessionInfo) => void }) {
  const { t } = useI18n();
  const [uid, setUid] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await api.login(uid.trim(), password));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="narrow">
      <h1>{t('loginTitle')}</h1>
      {expired && <p className="notice" role="status">{t('loginExpired')}</p>}
      <form onSubmit={submit} aria-label={t('loginTitle')}>
        <Field label={t('uid')}>{(f) => <input id={f.id} name="uid" autoComplete="username" required value={uid} onChange={(e) => setUid(e.target.value)} autoFocus />}</Field>
        <Field label={t('password')}>
          {(f) => <input id={f.id} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>{t('login')}</button>
      </form>
    </main>
  );
}
