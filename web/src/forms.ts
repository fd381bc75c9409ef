/**
 * The new-ticket forms' submit: busy while the server is asked, its errors sorted into field
 * messages (`Missing<Name>`/`Invalid<Name>`, PluginParam/Param keys: see fieldErrors) or the general
 * box. The admin pages' useSubmit (components/admin/forms.tsx) differs on purpose: it shows the box
 * only when no field took the error, where these forms show it as soon as one part has no field.
 */
import { useState, type FormEvent } from 'react';
import { ApiError, fieldErrors } from './api.js';

/** Server parameter (or `Param.key`) → the form's field, or undefined for the general box. */
export type FieldOf = (param: string) => string | undefined;

/** Sorts `err` by `fieldOf`; several messages for one field are joined with "; ". */
export function placeErrors(err: unknown, fieldOf: FieldOf): { fields: Record<string, string>; unplaced: boolean } {
  const byParam = err instanceof ApiError ? fieldErrors(err) : {};
  const fields: Record<string, string> = {};
  let unplaced = Object.keys(byParam).length === 0;
  for (const [param, msg] of Object.entries(byParam)) {
    const field = fieldOf(param);
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${msg}` : msg;
    else unplaced = true;
  }
  return { fields, unplaced };
}

/**
 * State of a create form: `submit(fn)` is its onSubmit; `fn` sends (and navigates on success).
 * `refine` may change the field messages of a failure before they are shown.
 */
export function useCreateForm(fieldOf: FieldOf, refine?: (err: unknown, fields: Record<string, string>) => void) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = (fn: () => Promise<void>) => async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      // Errors that name a field go next to it; anything else (or a key without a field) in the box.
      const { fields, unplaced } = placeErrors(err, fieldOf);
      refine?.(err, fields);
      setErrors(fields);
      setError(unplaced ? err : null);
    } finally {
      setBusy(false);
    }
  };
  return { errors, setErrors, error, busy, submit };
}

/** A fixed parameter → field table as a FieldOf. */
export const fieldsFrom = (table: Record<string, string>): FieldOf => (param) => table[param];
