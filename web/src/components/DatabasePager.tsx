/** Paging for the database browser's lists: total, previous/next, page size (the Actions page with PageNumber/PageSize). */
import { useI18n } from '../i18n.js';

export const DB_PAGE_SIZES = [10, 20, 50, 100];

export function DatabasePager({ page, size, total, label, onPage, onSize }: { page: number; size: number; total: number; label: string; onPage: (n: number) => void; onSize: (n: number) => void }) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(total / size));
  return (
    <nav className="pager" aria-label={label}>
      <span>{t('dbTotal', { n: total })}</span>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('previous')}</button>
      <span>{t('page', { n: page, m: pages })}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t('next')}</button>
      <label>
        {t('pageSize')}
        <select value={size} onChange={(e) => onSize(Number(e.target.value))}>
          {DB_PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </label>
    </nav>
  );
}

/** Owners as the Actions give them (`OwnerNameList.OwnerNames[]`), or "none". */
export function DatabaseOwners({ names }: { names: string[] | undefined }) {
  const { t } = useI18n();
  if (!names || names.length === 0) return <span className="empty">{t('dbNone')}</span>;
  return <>{names.join(', ')}</>;
}

/** The environments of the DMS EnvType enum (reference §2.3). */
export const DB_ENVS = ['product', 'dev', 'pre', 'test', 'sit', 'uat', 'pet', 'stag'];

/** Page number and size from a route's query (`page`, `size`). */
export function pagingOf(query: URLSearchParams): { page: number; size: number } {
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const size = Number(query.get('size') ?? '20');
  return { page, size: DB_PAGE_SIZES.includes(size) ? size : 20 };
}

/** `path?query` with empty values left out. */
export function hrefOf(path: string, query: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();
  return q ? `${path}?${q}` : path;
}
