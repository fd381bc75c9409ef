import { useId, type ReactNode } from 'react';

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
