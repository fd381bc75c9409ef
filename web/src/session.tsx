/** The logged-in user and the service time zone, for every page. */
import { createContext, useContext } from 'react';
import type { SessionInfo } from './api.js';
import { useI18n } from './i18n.js';
import { showTime } from './time.js';

export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a session');
  return s;
}

/** Renders a service time in the browser's zone and the console's language. */
export function useTime(): (text: string | undefined) => string {
  const s = useSession();
  const { lang } = useI18n();
  return (text) => showTime(text, s.TimeZone, lang);
}
