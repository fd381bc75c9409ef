/**
 * A ticket: base info (GetOrderBaseInfo), its type's detail, the approval chain, the timeline and
 * the actions the server allows now (GetOrderAvailableActions). While something runs (a precheck,
 * an export, a data change) it reloads every second.
 */
import { useEffect } from 'react';
import { api, type Body } from '../api.js';
import { ActionsPanel, type AvailableAction } from '../components/ActionsPanel.js';
import { ApprovalPanel } from '../components/ApprovalPanel.js';
import { DataCorrectPanel, loadDataCorrect, type DataCorrectData } from '../components/DataCorrectPanel.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { ExportPanel } from '../components/ExportPanel.js';
import { SchemaDesignPanel } from '../components/SchemaDesignPanel.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { Timeline } from '../components/Timeline.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { useTime } from '../session.js';

interface Loaded {
  base: Body;
  actions: AvailableAction[];
  events: Body[];
  approval: Body | undefined;
  exportDetail: Body | undefined;
  exportPrecheck: Body | undefined;
  dataCorrect: DataCorrectData | undefined;
}

const RUNNING_EXPORT = ['PRE_CHECKING', 'WAITING_EXPORT', 'DOING_EXPORT'];

async function load(orderId: number): Promise<Loaded> {
  const base = (await api.rpc('GetOrderBaseInfo', { OrderId: orderId })).OrderBaseInfo as Body;
  const type = String(base.PluginType);
  // A data change's detail first: it says whether a precheck runs (the page polls while it does), so
  // the actions read after it are never older than a "finished" it shows.
  const dataCorrect = type.startsWith('DC_') ? await loadDataCorrect(orderId) : undefined;
  const [actions, events, approval, exportDetail, exportPrecheck] = await Promise.all([
    api.rpc('GetOrderAvailableActions', { OrderId: orderId }).then((r) => (r.Actions?.Action ?? []) as AvailableAction[]),
    api.rpc('ListOrderEvents', { OrderId: orderId }).then((r) => (r.Events?.Event ?? []) as Body[]),
    base.WorkflowInstanceId ? api.rpc('GetApprovalDetail', { WorkflowInstanceId: base.WorkflowInstanceId }).then((r) => r.ApprovalDetail as Body) : Promise.resolve(undefined),
    type === 'DATA_EXPORT' ? api.rpc('GetDataExportOrderDetail', { OrderId: orderId }).then((r) => r.DataExportOrderDetail as Body) : Promise.resolve(undefined),
    type === 'DATA_EXPORT' ? api.rpc('GetDataExportPreCheckDetail', { OrderId: orderId }).then((r) => r.PreCheckResult as Body, () => undefined) : Promise.resolve(undefined),
  ]);
  return { base, actions, events, approval, exportDetail, exportPrecheck, dataCorrect };
}

export function TicketDetailPage({ orderId }: { orderId: number }) {
  const { t } = useI18n();
  const time = useTime();
  const { data, error, reload } = useLoad(() => load(orderId), [orderId]);

  const running =
    data !== undefined &&
    (data.base.StatusCode === 'processing' || RUNNING_EXPORT.includes(String(data.exportDetail?.KeyInfo?.JobStatus)) || data.dataCorrect?.detail.Status === 'precheck');
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void reload(), 1000);
    return () => clearInterval(timer);
  }, [running, reload]);

  const nicks = new Map<number, string>();
  for (const e of data?.events ?? []) if (e.OperatorId !== undefined && e.OperatorNickName) nicks.set(Number(e.OperatorId), String(e.OperatorNickName));
  for (const h of (data?.approval?.CurrentHandlers?.CurrentHandler ?? []) as Body[]) if (h.NickName) nicks.set(Number(h.Id), String(h.NickName));

  return (
    <main>
      <p><a href="#/tickets">← {t('backToList')}</a></p>
      {/* Without the ticket (it failed to load), the page still has its heading. */}
      {!data && !!error && <h1>{t('ticket', { id: orderId })}</h1>}
      <ErrorBox error={error} onRetry={reload} />
      {data && (
        <>
          <header className="ticket-head">
            <h1>{t('ticket', { id: orderId })}: {data.base.Comment}</h1>
            <div>
              <StatusBadge code={data.base.StatusCode} desc={data.base.StatusDesc} /> <span className="tag">{data.base.PluginType}</span>
            </div>
            <dl className="facts">
              <dt>{t('committer')}</dt>
              <dd>{data.base.Committer}</dd>
              <dt>{t('created')}</dt>
              <dd>{time(data.base.CreateTime)}</dd>
              <dt>{t('modified')}</dt>
              <dd>{time(data.base.LastModifyTime)}</dd>
              {(data.base.RelatedUserNickList?.UserNicks ?? []).length > 0 && (
                <>
                  <dt>{t('relatedUsers')}</dt>
                  <dd>{data.base.RelatedUserNickList.UserNicks.join(', ')}</dd>
                </>
              )}
            </dl>
          </header>
          <ActionsPanel actions={data.actions} onDone={() => void reload()} currentSql={data.dataCorrect?.detail.OrderDetail?.ExeSQL} />
          <div className="columns">
            <div>
              <ExportPanel detail={data.exportDetail} precheck={data.exportPrecheck} />
              <DataCorrectPanel data={data.dataCorrect} />
              {data.base.PluginType === 'NDDL' && <SchemaDesignPanel orderId={orderId} stamp={`${data.base.StatusCode}|${data.events.length}`} />}
            </div>
            <div>
              <ApprovalPanel detail={data.approval} nicks={nicks} />
              <Timeline events={data.events} />
            </div>
          </div>
        </>
      )}
    </main>
  );
}
