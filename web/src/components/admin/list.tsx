/**
 * Shared pieces of the administration lists: the table, the per-row Edit and Delete buttons (named
 * after the row for screen readers), a row action whose failure goes to the list's error box, and
 * the pager.
 */
import { useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n.js';
import { TableHead, type Column } from '../TableHead.js';
import { ConfirmButton } from './forms.js';

export function AdminTable({ label, columns, children }: { label?: string; columns: readonly Column[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className="admin-table" aria-label={label}>
        <TableHead columns={columns} />
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function EditButton({ name, onClick }: { name: string; onClick: () => void }) {
  const { t } = useI18n();
  return <button type="button" aria-label={t('admEditNamed', { name })} onClick={onClick}>{t('admEdit')}</button>;
}

export function DeleteButton({ name, onConfirm }: { name: string; onConfirm: () => void }) {
  const { t } = useI18n();
  return <ConfirmButton label={t('admDelete')} ariaLabel={t('admDeleteNamed', { name })} confirmLabel={t('admConfirmDelete', { name })} onConfirm={onConfirm} />;
}

/** `call(fn)` runs a row's action, then `after` (reload the list); a failure is kept in `error`. */
export function useRowAction(after: () => unknown) {
  const [error, setError] = useState<unknown>(null);
  const call = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await after();
    } catch (e) {
      setError(e);
    }
  };
  return { error, call };
}

/**
 * Rows edited one at a time (`editing`: the row whose form is open) and deleted with `del(id)`;
 * deleting the row being edited closes its form. `call` runs any other row action.
 */
export function useEditAndDelete<Id>(del: (id: Id) => Promise<unknown>, after: () => unknown) {
  const [editing, setEditing] = useState<Id | null>(null);
  const { error, call } = useRowAction(after);
  const remove = (id: Id) =>
    call(async () => {
      await del(id);
      if (editing === id) setEditing(null);
    });
  return { editing, setEditing, error, call, remove };
}

export function Pager({ page, pages, onPage }: { page: number; pages: number; onPage: (n: number) => void }) {
  const { t } = useI18n();
  if (pages <= 1) return null;
  return (
    <div className="pager">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('admPrev')}</button>
      <span>{t('admPageOf', { page, pages })}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t('admNext')}</button>
    </div>
  );
}
