/**
 * Ticket lists: one tab per ListOrders OrderResultType scope (AS_ADMIN only for ADMIN/DBA: the
 * server refuses it to others, and the tab is shown when the server answers), the ListOrders
 * filters, paging, status badges. Newest first by creation or modification time (SearchDateType),
 * or by a column header: ListOrders' SortField/SortOrder (an OpenDMS extension, sorted on the
 * server), kept in the URL as `sort` and `dir` like the filters.
 */
import { useState, type FormEvent } from 'react';
import { api, type Body } from '../api.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import type { MessageKey } from '../messages.js';
import { navigate, type Route } from '../router.js';
import { useSession, useTime } from '../session.js';
import { formatServerTime } from '../time.js';

const TABS: { scope: string; label: MessageKey }[] = [
  { scope: 'AS_COMMITTER', label: 'tabMine' },
  { scope: 'AS_HANDLER', label: 'tabTodo' },
  { scope: 'AS_OWNER', label: 'tabHistory' },
  { scope: 'AS_Related', label: 'tabRelated' },
  { scope: 'AS_ADMIN', label: 'tabAll' },
];
const TYPES = ['DATA_EXPORT', 'DATA_CORRECT', 'DC_COMMON', 'DC_BIG_FILE', 'DC_CRON_CLEAR', 'NDDL'];
const PAGE_SIZES = [10, 20, 50];
/** Sortable columns: the ListOrders SortField values (indexed columns only). */
const SORT_FIELDS = ['ORDER_ID', 'CREATE_TIME', 'MODIFY_TIME'] as const;
type SortField = (typeof SORT_FIELDS)[number];

const toQuery = (q: Record<string, string>) => new URLSearchParams(Object.entries(q).filter(([, v]) => v !== '')).toString();

export function TicketListPage({ route }: { route: Route }) {
  const { t } = useI18n();
  const session = useSession();
  const time = useTime();
  const q = route.query;
  const scope = q.get('tab') ?? 'AS_COMMITTER';
  const page = Number(q.get('page') ?? '1') || 1;
  const size = Number(q.get('size') ?? '10') || 10;
  const filters = { type: q.get('type') ?? '', status: q.get('status') ?? 'ALL', by: q.get('by') ?? 'CREATE_TIME', from: q.get('from') ?? '', to: q.get('to') ?? '', search: q.get('search') ?? '' };
  const [draft, setDraft] = useState(filters);
  const sortParam = q.get('sort') ?? '';
  const explicitSort = (SORT_FIELDS as readonly string[]).includes(sortParam) ? (sortParam as SortField) : undefined;
  const dir: 'asc' | 'desc' = explicitSort && q.get('dir') === 'asc' ? 'asc' : 'desc';
  // Without a sort in the URL the server lists newest first by the SearchDateType time.
  const sortField: SortField = explicitSort ?? (filters.by === 'MODIFY_TIME' ? 'MODIFY_TIME' : 'CREATE_TIME');
  const sortState = { sort: explicitSort ?? '', dir: explicitSort ? dir : '' };

  // The "all" tab is there for those the server lets list AS_ADMIN (ADMIN, DBA).
  const adminScope = useLoad(() => api.rpc('ListOrders', { OrderResultType: 'AS_ADMIN', PageSize: 1 }).then(() => true, () => false), []);
  const tabs = TABS.filter((tab) => tab.scope !== 'AS_ADMIN' || adminScope.data === true);

  const go = (changes: Record<string, string>) => navigate(`/tickets?${toQuery({ tab: scope, page: String(page), size: String(size), ...filters, ...sortState, ...changes })}`);
  const sortBy = (field: SortField) => go({ sort: field, dir: field === sortField && dir === 'desc' ? 'asc' : 'desc', page: '1' });
  const toServer = (local: string) => (local ? formatServerTime(new Date(local).getTime(), session.TimeZone) : undefined);

  const list = useLoad(
    () =>
      api.rpc('ListOrders', {
        OrderResultType: scope,
        PageNumber: page,
        PageSize: size,
        PluginType: filters.type,
        OrderStatus: filters.status,
        StartTime: toServer(filters.from),
        EndTime: toServer(filters.to),
        SearchContent: filters.search,
        SearchDateType: filters.by,
        SortField: explicitSort,
        SortOrder: explicitSort ? dir.toUpperCase() : undefined,
      }),
    [scope, page, size, filters.type, filters.status, filters.by, filters.from, filters.to, filters.search, explicitSort, dir],
  );
  const orders: Body[] = list.data?.Orders?.Order ?? [];
  const total = Number(list.data?.TotalCount ?? 0);
  const pages = Math.max(1, Math.ceil(total / size));

  const apply = (e: FormEvent) => {
    e.preventDefault();
    go({ ...draft, page: '1' });
  };

  return (
    <main>
      <h1>{t('navTickets')}</h1>
      <div role="tablist" aria-label={t('ticketScopes')} className="tabs">
        {tabs.map((tab) => (
          <button key={tab.scope} type="button" role="tab" aria-selected={tab.scope === scope} className={tab.scope === scope ? 'tab active' : 'tab'} onClick={() => go({ tab: tab.scope, page: '1' })}>
            {t(tab.label)}
          </button>
        ))}
      </div>
      <form className="filters" onSubmit={apply} aria-label={t('filters')}>
        <label>
          {t('type')}
          <select value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })}>
            <option value="">{t('anyType')}</option>
            {TYPES.map((ty) => <option key={ty} value={ty}>{ty}</option>)}
          </select>
        </label>
        <label>
          {t('status')}
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="ALL">{t('statusAll')}</option>
            <option value="RUNNING">{t('statusRunning')}</option>
            <option value="FINISHED">{t('statusFinished')}</option>
          </select>
        </label>
        <label>
          {t('sortBy')}
          <select value={draft.by} onChange={(e) => setDraft({ ...draft, by: e.target.value })}>
            <option value="CREATE_TIME">{t('created')}</option>
            <option value="MODIFY_TIME">{t('modified')}</option>
          </select>
        </label>
        <label>
          {draft.by === 'MODIFY_TIME' ? t('modifiedFrom') : t('from')}
          <input type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </label>
        <label>
          {draft.by === 'MODIFY_TIME' ? t('modifiedTo') : t('to')}
          <input type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <label className="grow">
          {t('search')}
          <input type="search" placeholder={t('searchHint')} value={draft.search} onChange={(e) => setDraft({ ...draft, search: e.target.value })} />
        </label>
        <div className="buttons">
          <button type="submit" className="primary">{t('apply')}</button>
          <button type="button" onClick={() => { setDraft({ type: '', status: 'ALL', by: 'CREATE_TIME', from: '', to: '', search: '' }); navigate(`/tickets?tab=${scope}`); }}>{t('reset')}</button>
        </div>
      </form>
      <ErrorBox error={list.error} onRetry={list.reload} />
      <div className="table-wrap" role="region" aria-label={t(TABS.find((x) => x.scope === scope)?.label ?? 'navTickets')} aria-busy={list.loading}>
        <table className="tickets">
          <thead>
            <tr>
              <SortHeader field="ORDER_ID" label={t('id')} current={sortField} dir={dir} onSort={sortBy} />
              <th scope="col">{t('type')}</th>
              <th scope="col">{t('reason')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col" className="wide-only">{t('committer')}</th>
              <SortHeader field="CREATE_TIME" label={t('created')} current={sortField} dir={dir} onSort={sortBy} className="wide-only" />
              <SortHeader field="MODIFY_TIME" label={t('modified')} current={sortField} dir={dir} onSort={sortBy} className="wide-only" />
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr key={o.OrderId} data-order-id={o.OrderId}>
                <td><a href={`#/tickets/${o.OrderId}`}>{o.OrderId}</a></td>
                <td>{o.PluginType}</td>
                <td className="comment"><a href={`#/tickets/${o.OrderId}`}>{o.Comment}</a></td>
                <td><StatusBadge code={o.StatusCode} desc={o.StatusDesc} /></td>
                <td className="wide-only">{o.Committer}</td>
                <td className="wide-only">{time(o.CreateTime)}</td>
                <td className="wide-only">{time(o.LastModifyTime)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!list.loading && !list.error && orders.length === 0 && <p className="empty">{t('noTickets')}</p>}
      </div>
      <nav className="pager" aria-label={t('page', { n: page, m: pages })}>
        <span>{t('total', { n: total })}</span>
        <button type="button" disabled={page <= 1} onClick={() => go({ page: String(page - 1) })}>{t('previous')}</button>
        <span>{t('page', { n: page, m: pages })}</span>
        <button type="button" disabled={page >= pages} onClick={() => go({ page: String(page + 1) })}>{t('next')}</button>
        <label>
          {t('pageSize')}
          <select value={size} onChange={(e) => go({ size: e.target.value, page: '1' })}>
            {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
      </nav>
    </main>
  );
}

/** A column header that sorts: a button (keyboard: Tab, Enter/Space) in a `th` carrying aria-sort. */
function SortHeader({ field, label, current, dir, onSort, className }: { field: SortField; label: string; current: SortField; dir: 'asc' | 'desc'; onSort: (f: SortField) => void; className?: string }) {
  const { t } = useI18n();
  const active = field === current;
  const title = active ? t(dir === 'asc' ? 'listSortedAsc' : 'listSortedDesc', { column: label }) : t('listSortBy', { column: label });
  return (
    <th scope="col" className={className} aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" data-sort={field} title={title} onClick={() => onSort(field)}>
        {label}
        <span aria-hidden="true" className="sort-mark">{active ? (dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
      </button>
    </th>
  );
}
