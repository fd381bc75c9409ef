/**
 * Shared pieces of the administration pages: a call that sorts the server's error into field
 * messages (`Missing<Name>`/`Invalid<Name>`, shown next to the field) or a general box, a group of
 * labelled checkboxes, a two-step confirm button, the form's submit/cancel buttons and the once-only
 * secret box.
 */
import { useId, useState, type ReactNode } from 'react';
import { ApiError, fieldErrors } from '../../api.js';
import { useI18n } from '../../i18n.js';

export interface Submitted {
  /** Parameter name → the server's message. */
  fields: Record<string, string>;
  /** An error that names no field of the form. */
  general: unknown;
  busy: boolean;
}

/**
 * Runs `fn`; an error naming one of `known` goes next to that field, any other to `general`.
 * Returns whether `fn` succeeded.
 */
export function useSubmit(known: readonly string[]): Submitted & { run: (fn: () => Promise<unknown>) => Promise<boolean>; clear: () => void } {
  const [state, setState] = useState<Submitted>({ fields: {}, general: null, busy: false });
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setState({ fields: {}, general: null, busy: true });
    try {
      await fn();
      setState({ fields: {}, general: null, busy: false });
      return true;
    } catch (e) {
      const f = e instanceof ApiError ? fieldErrors(e) : {};
      const mine = Object.fromEntries(Object.entries(f).filter(([k]) => known.includes(k.split('.')[0]!)));
      // A JSON parameter's `key: reason` parts: shown whole next to the parameter.
      for (const k of Object.keys(mine)) {
        const [param, sub] = k.split('.');
        if (sub && !mine[param!]) mine[param!] = `${sub}: ${mine[k]}`;
      }
      setState({ fields: mine, general: Object.keys(mine).length > 0 ? null : e, busy: false });
      return false;
    }
  };
  return { ...state, run, clear: () => setState({ fields: {}, general: null, busy: false }) };
}

/** Checkboxes in a fieldset with a legend; the server's error under them. */
export function CheckGroup({ legend, options, value, onChange, error, label }: { legend: string; options: readonly string[]; value: readonly string[]; onChange: (v: string[]) => void; error?: string | undefined; label?: (o: string) => string }) {
  const errId = `${useId()}-error`;
  return (
    <fieldset className={`field check-group${error ? ' field-invalid' : ''}`} aria-describedby={error ? errId : undefined}>
      <legend>{legend}</legend>
      <div className="check-options">
        {options.map((o) => (
          <label key={o} className="check">
            <input type="checkbox" checked={value.includes(o)} onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((x) => x !== o))} />
            {label ? label(o) : o}
          </label>
        ))}
      </div>
      {error && <div id={errId} className="field-error" role="alert">{error}</div>}
    </fieldset>
  );
}

/** A destructive button that asks once more, in place (keyboard-usable, no browser dialog). */
export function ConfirmButton({ label, ariaLabel, confirmLabel, onConfirm, disabled }: { label: string; ariaLabel?: string; confirmLabel: string; onConfirm: () => void; disabled?: boolean }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  if (!asking) return <button type="button" className="danger" aria-label={ariaLabel} disabled={disabled} onClick={() => setAsking(true)}>{label}</button>;
  return (
    <span className="confirm">
      <button type="button" className="danger" autoFocus onClick={() => { setAsking(false); onConfirm(); }}>{confirmLabel}</button>
      <button type="button" onClick={() => setAsking(false)}>{t('cancel')}</button>
    </span>
  );
}

/** A form's submit button (`label`; "Save" when `editing`) and, when it can be left, Cancel. */
export function FormButtons({ busy, editing, label, onCancel }: { busy: boolean; editing: boolean; label: string; onCancel?: (() => void) | undefined }) {
  const { t } = useI18n();
  return (
    <div className="buttons">
      <button type="submit" className="primary" disabled={busy}>{editing ? t('save') : label}</button>
      {onCancel && <button type="button" onClick={onCancel}>{t('cancel')}</button>}
    </div>
  );
}

/** A secret shown once (CreateAccessKey, CreateWebhook): kept only in the page's memory. */
export function SecretOnce({ title, secret, children, onDone }: { title: string; secret: string; children?: ReactNode; onDone: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section className="card secret-once" aria-label={title} role="region">
      <h3>{title}</h3>
      <p className="notice" role="alert">{t('admSecretWarning')}</p>
      {children}
      <label className="field">
        {t('admSecret')}
        <input type="text" readOnly value={secret} data-testid="secret-value" onFocus={(e) => e.target.select()} />
      </label>
      <div className="buttons">
        <button type="button" onClick={() => void copy()}>{t('admCopy')}</button>
        <button type="button" className="primary" onClick={onDone}>{t('admSecretDone')}</button>
      </div>
      {copied !== null && <p role="status">{copied ? t('admCopied') : t('admCopyFailed')}</p>}
    </section>
  );
}
