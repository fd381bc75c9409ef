import { useState, type FormEvent } from 'react';
import { api, ApiError, fieldErrors } from '../api.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Field } from '../components/Field.js';
import { useI18n } from '../i18n.js';

export function PasswordPage() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    setDone(false);
    if (next !== repeat) return setErrors({ repeat: t('passwordsDiffer') });
    try {
      await api.changePassword(current, next);
      setDone(true);
      setCurrent('');
      setNext('');
      setRepeat('');
    } catch (err) {
      // The server names the field: Password (the current one is wrong) or Next (rules of a new one).
      const f = err instanceof ApiError ? fieldErrors(err) : {};
      const byField = { current: f.Password ?? f.Current, next: f.Next ?? f.NewPassword };
      if (byField.current || byField.next) setErrors(Object.fromEntries(Object.entries(byField).filter(([, v]) => v)) as Record<string, string>);
      else setError(err);
    }
  };

  return (
    <main className="narrow">
      <h1>{t('passwordTitle')}</h1>
      <form onSubmit={submit} aria-label={t('passwordTitle')}>
        <Field label={t('currentPassword')} error={errors.current}>
          {(f) => <input id={f.id} type="password" autoComplete="current-password" required aria-invalid={f.invalid} aria-describedby={f.describedBy} value={current} onChange={(e) => setCurrent(e.target.value)} />}
        </Field>
        <Field label={t('newPassword')} error={errors.next}>
          {(f) => <input id={f.id} type="password" autoComplete="new-password" required aria-invalid={f.invalid} aria-describedby={f.describedBy} value={next} onChange={(e) => setNext(e.target.value)} />}
        </Field>
        <Field label={t('repeatPassword')} error={errors.repeat}>
          {(f) => <input id={f.id} type="password" autoComplete="new-password" required aria-invalid={f.invalid} aria-describedby={f.describedBy} value={repeat} onChange={(e) => setRepeat(e.target.value)} />}
        </Field>
        <ErrorBox error={error} />
        {done && <p className="notice" role="status">{t('passwordChanged')}</p>}
        <button type="submit" className="primary">{t('save')}</button>
      </form>
    </main>
  );
}
