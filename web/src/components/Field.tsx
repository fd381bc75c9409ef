import { useId, type ReactNode } from 'react';
import { useI18n } from '../i18n.js';

/**
 * A labelled control with its error right below it (linked by aria-describedby, aria-invalid).
 * `children` gets the ids to put on the control.
 */
export function Field({ label, error, hint, children }: { label: string; error?: string | undefined; hint?: string; children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode }) {
  const id = useId();
  const errId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {hint && <small id={hintId} className="hint">{hint}</small>}
      {error && <div id={errId} className="field-error" role="alert">{error}</div>}
    </div>
  );
}

/** A ticket's reason (the Comment parameter of the create Actions). */
export function ReasonField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: string | undefined }) {
  const { t } = useI18n();
  return (
    <Field label={t('reason')} error={error}>
      {(f) => <textarea id={f.id} name="comment" rows={2} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}
