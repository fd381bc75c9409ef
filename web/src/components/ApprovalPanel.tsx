/** The approval chain (GetApprovalDetail): each step with who, when and the comment, and who it waits for now. */
import type { Body } from '../api.js';
import { useI18n } from '../i18n.js';
import { useTime } from '../session.js';

export function ApprovalPanel({ detail, nicks }: { detail: Body | undefined; nicks: Map<number, string> }) {
  const { t } = useI18n();
  const time = useTime();
  const who = (id: unknown) => (id === undefined || id === null || id === '' ? '' : (nicks.get(Number(id)) ?? `#${id}`));
  const nodes: Body[] = detail?.WorkflowNodes?.WorkflowNode ?? [];
  const handlers: Body[] = detail?.CurrentHandlers?.CurrentHandler ?? [];
  return (
    <section aria-labelledby="approval-title" className="card">
      <h2 id="approval-title">{t('approval')}</h2>
      {!detail && <p className="empty">{t('approvalNone')}</p>}
      {detail && (
        <>
          {handlers.length > 0 && (
            <p>
              <strong>{t('currentHandlers')}:</strong> {handlers.map((h) => h.NickName || `#${h.Id}`).join(', ')}
            </p>
          )}
          <ol className="chain">
            {nodes.map((n, i) => (
              <li key={i} className={n.WorkflowInsCode === 'AUDITING' ? 'current' : ''}>
                <div><strong>{n.NodeName}</strong> <span className="tag">{n.WorkflowInsCode}</span></div>
                <div>
                  {who(n.OperatorId) || (n.AuditUserIdList?.AuditUserIds ?? []).map(who).join(', ')}
                  {n.OperateTime && <> · <time>{time(n.OperateTime)}</time></>}
                </div>
                {n.OperateComment && <blockquote>{n.OperateComment}</blockquote>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
