/** The ticket's audit trail (ListOrderEvents), oldest first. */
import type { Body } from '../api.js';
import { useI18n } from '../i18n.js';
import { useTime } from '../session.js';

export function Timeline({ events }: { events: Body[] }) {
  const { t } = useI18n();
  const time = useTime();
  return (
    <section aria-labelledby="timeline-title" className="card">
      <h2 id="timeline-title">{t('timeline')}</h2>
      <ol className="timeline">
        {events.map((e) => (
          <li key={e.EventId}>
            <time>{time(e.OperateTime)}</time> <strong>{e.Action}</strong>
            {e.OperatorNickName && <> · {e.OperatorNickName}</>}
            {e.RealLoginUserNickName && <> ({e.RealLoginUserNickName})</>}
            {(e.FromStatus || e.ToStatus) && e.FromStatus !== e.ToStatus && <> · {e.FromStatus} → {e.ToStatus}</>}
            {e.Comment && <div className="hint">{e.Comment}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
