/** Review findings of a design change or a publish (the server's rule, level and message). */
import type { Body } from '../api.js';
import { useI18n } from '../i18n.js';

export function SchemaDesignFindings({ findings }: { findings: Body[] }) {
  const { t } = useI18n();
  if (findings.length === 0) return null;
  return (
    <div className="sd-findings">
      <strong>{t('sdFindings')}</strong>
      <ul>
        {findings.map((f, i) => (
          <li key={i} className={`sd-finding sd-${String(f.Level).toLowerCase()}`}>
            <span className="tag">{f.Level}</span> {f.Message} <small className="hint">{f.RuleId}</small>
          </li>
        ))}
      </ul>
    </div>
  );
}
