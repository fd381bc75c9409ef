import { useI18n } from '../i18n.js';
import type { MessageKey } from '../messages.js';

/** A ticket status code (new, toaudit, approved …) as a coloured badge, the server's description as its title. */
export function StatusBadge({ code, desc }: { code: string; desc?: string | undefined }) {
  const { t } = useI18n();
  const key = `st_${code}` as MessageKey;
  return (
    <span className={`badge badge-${code}`} title={desc}>
      {t(key) === key ? code : t(key)}
    </span>
  );
}
