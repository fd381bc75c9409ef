/**
 * The console shell: restores the session (GET /console/api/session), shows the login page when
 * there is none and comes back to where the user was (`#/login?next=…`); the top bar, the language
 * switch and the routes.
 */
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api, setUnauthorizedHandler, type SessionInfo } from './api.js';
import { ErrorBox } from './components/ErrorBox.js';
import { useI18n, type Lang } from './i18n.js';
import { LoginPage } from './pages/LoginPage.js';
import { PasswordPage } from './pages/PasswordPage.js';
import { TicketDetailPage } from './pages/TicketDetailPage.js';
import { TicketListPage } from './pages/TicketListPage.js';
import { currentLocation, navigate, useRoute, type Route } from './router.js';
import { SessionContext } from './session.js';

// The SQL editor (CodeMirror) is loaded with the page that needs it.
const NewExportPage = lazy(() => import('./pages/NewExportPage.js').then((m) => ({ default: m.NewExportPage })));

function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <label className="lang">
      <span className="sr-only">{t('language')}</span>
      <select aria-label={t('language')} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        <option value="en">English</option>
        <option value="zh-CN">简体中文</option>
      </select>
    </label>
  );
}

function Page({ route }: { route: Route }) {
  const { t } = useI18n();
  const detail = /^\/tickets\/(\d+)$/.exec(route.path);
  if (detail) return <TicketDetailPage key={detail[1]} orderId={Number(detail[1])} />;
  if (route.path === '/tickets' || route.path === '/') return <TicketListPage route={route} />;
  if (route.path === '/new/export') {
    return (
      <Suspense fallback={<main><p role="status">{t('loading')}</p></main>}>
        <NewExportPage />
      </Suspense>
    );
  }
  if (route.path === '/password') return <PasswordPage />;
  return (
    <main>
      <p role="alert">{t('notFound')}</p>
      <a href="#/tickets">{t('navTickets')}</a>
    </main>
  );
}

export function App() {
  const { t } = useI18n();
  const route = useRoute();
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);

  const toLogin = useCallback((wasExpired: boolean) => {
    setSession(null);
    setExpired(wasExpired);
    const here = currentLocation();
    if (!here.startsWith('/login')) navigate(`/login?next=${encodeURIComponent(here)}`);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => toLogin(true));
    api.session().then(setSession, (e) => {
      if (e?.status === 401) toLogin(false);
      else setFailure(e);
    });
  }, [toLogin]);

  const loggedIn = (s: SessionInfo) => {
    setSession(s);
    setExpired(false);
    const next = route.query.get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('/login') ? next : '/tickets');
  };
  const logout = async () => {
    await api.logout().catch(() => undefined);
    setSession(null);
    setExpired(false);
    navigate('/login');
  };

  return (
    <>
      <header className="topbar">
        <a href="#/tickets" className="brand">{t('appName')}</a>
        {session && (
          <nav aria-label="main">
            <a href="#/tickets">{t('navTickets')}</a>
            <a href="#/new/export">{t('navNewExport')}</a>
            <a href="#/password">{t('navPassword')}</a>
          </nav>
        )}
        <div className="spacer" />
        <LanguageSwitch />
        {session && (
          <>
            <span className="who">{t('signedInAs', { name: session.User.NickName || session.User.Uid })}</span>
            <button type="button" onClick={() => void logout()}>{t('logout')}</button>
          </>
        )}
      </header>
      {failure ? (
        <main><ErrorBox error={failure} onRetry={() => window.location.reload()} /></main>
      ) : session === undefined ? (
        <main><p role="status">{t('loading')}</p></main>
      ) : session === null || route.path === '/login' ? (
        session ? <LoginRedirect /> : <LoginPage expired={expired} onLoggedIn={loggedIn} />
      ) : (
        <SessionContext.Provider value={session}>
          <Page route={route} />
        </SessionContext.Provider>
      )}
    </>
  );
}

/** Logged in but on #/login (a back button): go to the list. */
function LoginRedirect() {
  useEffect(() => navigate('/tickets'), []);
  return null;
}
