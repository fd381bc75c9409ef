/**
 * Webhooks (ListWebhooks, CreateWebhook, UpdateWebhook, DeleteWebhook, TestWebhook) and a chosen
 * webhook's delivery log (ListWebhookDeliveries). A generated secret is shown once, from the
 * create (or regenerate) answer; docs/webhooks.md says how receivers verify it.
 */
import { useState, type FormEvent } from 'react';
import { api, type Body } from '../../api.js';
import { AdminRefusal, isRefusal } from '../../components/admin/access.js';
import { CheckGroup, FormButtons, SecretOnce, useSubmit } from '../../components/admin/forms.js';
import { AdminTable, DeleteButton, EditButton, Pager, useRowAction } from '../../components/admin/list.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { useLoad } from '../../hooks.js';
import { useI18n } from '../../i18n.js';
import { useTime } from '../../session.js';

/** Ticket event types a webhook may filter on (the server validates the list; none = every event). */
const EVENTS = ['CREATE', 'SUBMIT', 'APPROVE_NODE', 'APPROVE_FINAL', 'REJECT', 'CANCEL', 'TRANSFER', 'ADD_NODE', 'EDIT', 'START_EXECUTION', 'EXECUTION_SUCCEEDED', 'EXECUTION_FAILED', 'STAGE_PUBLISHED', 'CLOSE', 'CLOSE_SCHEDULE'];
const DELIVERY_PAGE = 20;

interface Webhook {
  WebhookId: number;
  Url: string;
  Events: { Event: string[] };
  Enabled: boolean;
  CreateTime: string;
  ModifyTime: string;
}

function WebhookForm({ hook, onSaved, onCancel }: { hook?: Webhook; onSaved: (secret?: string) => void; onCancel?: () => void }) {
  const { t } = useI18n();
  const [url, setUrl] = useState(hook?.Url ?? '');
  const [secret, setSecret] = useState('');
  const [events, setEvents] = useState<string[]>(hook?.Events.Event ?? []);
  const [enabled, setEnabled] = useState(hook?.Enabled ?? true);
  const s = useSubmit(['Url', 'Secret', 'Events', 'Enabled']);
  const title = hook ? t('admEditWebhookNamed', { name: hook.Url }) : t('admNewWebhook');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let answer: Body = {};
    const ok = await s.run(async () => {
      answer = hook
        ? await api.rpc('UpdateWebhook', { WebhookId: hook.WebhookId, Url: url, Events: events, Enabled: enabled, Secret: secret || undefined })
        : await api.rpc('CreateWebhook', { Url: url, Secret: secret || undefined, Events: events });
    });
    if (ok) {
      if (!hook) {
        setUrl('');
        setEvents([]);
      }
      setSecret('');
      onSaved(answer.Secret as string | undefined);
    }
  };
  return (
    <form onSubmit={submit} aria-label={title} className="admin-form card">
      <h3>{title}</h3>
      <Field label={t('admWebhookUrl')} error={s.fields.Url}>
        {(f) => <input id={f.id} type="url" autoFocus={Boolean(hook)} aria-invalid={f.invalid} aria-describedby={f.describedBy} value={url} onChange={(e) => setUrl(e.target.value)} />}
      </Field>
      <Field label={hook ? t('admWebhookNewSecret') : t('admWebhookSecret')} error={s.fields.Secret} hint={t('admWebhookSecretHint')}>
        {(f) => <input id={f.id} type="password" autoComplete="off" aria-invalid={f.invalid} aria-describedby={f.describedBy} value={secret} onChange={(e) => setSecret(e.target.value)} />}
      </Field>
      <CheckGroup legend={t('admWebhookEvents')} options={EVENTS} value={events} onChange={setEvents} error={s.fields.Events} />
      {hook && (
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          {t('admWebhookEnabled')}
        </label>
      )}
      <ErrorBox error={s.general} />
      <FormButtons busy={s.busy} editing={Boolean(hook)} label={t('admCreateWebhook')} onCancel={onCancel} />
    </form>
  );
}

function Deliveries({ hook }: { hook: Webhook }) {
  const { t } = useI18n();
  const time = useTime();
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const log = useLoad(() => api.rpc('ListWebhookDeliveries', { WebhookId: hook.WebhookId, Status: status, PageNumber: page, PageSize: DELIVERY_PAGE }), [hook.WebhookId, status, page]);
  const rows = (log.data?.Deliveries?.Delivery ?? []) as Body[];
  const pages = Math.max(1, Math.ceil(Number(log.data?.TotalCount ?? 0) / DELIVERY_PAGE));
  return (
    <section className="card" aria-labelledby="adm-deliveries">
      <h3 id="adm-deliveries">{t('admDeliveriesOf', { name: hook.Url })}</h3>
      <div className="filters">
        <label>
          {t('admDeliveryStatus')}
          <select value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }}>
            <option value="">{t('admAll')}</option>
            {['PENDING', 'SUCCESS', 'FAIL'].map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => void log.reload()}>{t('admRefresh')}</button>
      </div>
      <ErrorBox error={log.error} />
      <AdminTable label={t('admDeliveries')} columns={[t('admEvent'), t('admTicket'), t('admState'), t('admAttempts'), t('admLastAnswer'), t('admCreated')]}>
        {rows.map((d) => (
          <tr key={String(d.DeliveryId)}>
            <td>{String(d.EventType)} <small className="hint">#{String(d.EventId)}</small></td>
            <td><a href={`#/tickets/${d.OrderId}`}>{String(d.OrderId)}</a></td>
            <td><span className={`badge ${d.Status === 'SUCCESS' ? 'badge-success' : d.Status === 'FAIL' ? 'badge-fail' : 'badge-toaudit'}`}>{String(d.Status)}</span></td>
            <td>{String(d.Attempts)} / {String(d.MaxAttempts)}{d.NextAttemptTime ? <small className="hint"> {t('admNextAttempt', { time: time(String(d.NextAttemptTime)) })}</small> : null}</td>
            <td className="comment">{d.LastHttpStatus ? `HTTP ${d.LastHttpStatus}` : ''}{d.LastError ? ` ${d.LastError}` : ''}</td>
            <td>{time(String(d.CreateTime))}</td>
          </tr>
        ))}
        {!log.loading && rows.length === 0 && <tr><td colSpan={6} className="empty">{t('admNoDeliveries')}</td></tr>}
      </AdminTable>
      <Pager page={page} pages={pages} onPage={setPage} />
    </section>
  );
}

export function WebhooksPage() {
  const { t } = useI18n();
  const time = useTime();
  const list = useLoad(() => api.rpc('ListWebhooks'), []);
  const hooks = ((list.data?.Webhooks?.Webhook ?? []) as Body[]) as Webhook[];
  const [editing, setEditing] = useState<number | null>(null);
  const [logOf, setLogOf] = useState<number | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const { error, call } = useRowAction(list.reload);
  const [tested, setTested] = useState<string>('');
  const current = hooks.find((h) => h.WebhookId === editing);
  const logHook = hooks.find((h) => h.WebhookId === logOf);

  const test = (h: Webhook) =>
    call(async () => {
      setTested('');
      const r = (await api.rpc('TestWebhook', { WebhookId: h.WebhookId })).Result as Body;
      setTested(r.Delivered ? t('admTestOk', { status: String(r.HttpStatus ?? ''), ms: String(r.DurationMs) }) : t('admTestFailed', { error: String(r.Error ?? `HTTP ${r.HttpStatus}`) }));
    });
  const saved = (s?: string) => {
    if (s) setSecret(s);
    setEditing(null);
    void list.reload();
  };

  if (isRefusal(list.error)) return <AdminRefusal error={list.error} />;
  return (
    <>
      <h2>{t('admWebhooks')}</h2>
      <p className="hint">{t('admWebhooksHint')}</p>
      <ErrorBox error={list.error} onRetry={() => void list.reload()} />
      <ErrorBox error={error} />
      {tested && <p className="notice" role="status">{tested}</p>}
      {secret && <SecretOnce title={t('admWebhookSecretTitle')} secret={secret} onDone={() => setSecret(null)} />}
      <AdminTable label={t('admWebhooks')} columns={[t('admWebhookUrl'), t('admWebhookEvents'), t('admState'), { label: t('admModified'), className: 'wide-only' }, t('admActions')]}>
        {hooks.map((h) => (
          <tr key={h.WebhookId} data-webhook-id={h.WebhookId}>
            <td className="comment">{h.Url}</td>
            <td>{h.Events.Event.join(', ') || t('admAllEvents')}</td>
            <td>{h.Enabled ? t('admEnabled') : t('admDisabled')}</td>
            <td className="wide-only">{time(h.ModifyTime)}</td>
            <td className="row-actions">
              <button type="button" aria-label={t('admDeliveriesOf', { name: h.Url })} onClick={() => setLogOf(h.WebhookId)}>{t('admDeliveries')}</button>
              <button type="button" aria-label={t('admTestNamed', { name: h.Url })} onClick={() => void test(h)}>{t('admTest')}</button>
              <EditButton name={h.Url} onClick={() => setEditing(h.WebhookId)} />
              <button type="button" aria-label={t('admRegenerateNamed', { name: h.Url })} onClick={() => void call(async () => setSecret(String((await api.rpc('UpdateWebhook', { WebhookId: h.WebhookId, RegenerateSecret: true })).Secret)))}>{t('admRegenerate')}</button>
              <DeleteButton name={h.Url} onConfirm={() => void call(async () => { await api.rpc('DeleteWebhook', { WebhookId: h.WebhookId }); if (logOf === h.WebhookId) setLogOf(null); })} />
            </td>
          </tr>
        ))}
        {!list.loading && hooks.length === 0 && <tr><td colSpan={5} className="empty">{t('admNoWebhooks')}</td></tr>}
      </AdminTable>
      {logHook && <Deliveries key={logHook.WebhookId} hook={logHook} />}
      {current && <WebhookForm key={current.WebhookId} hook={current} onSaved={saved} onCancel={() => setEditing(null)} />}
      <WebhookForm onSaved={saved} />
    </>
  );
}
