// The shell: loads the session, shows first run / sign-in when needed, else the navigation and
// the screen for the current path.
import type { ComponentType } from 'preact';
import { useEffect } from 'preact/hooks';
import { signal } from '@preact/signals';
import { api } from './api';
import { addMessages, lang, setLang, t } from './i18n';
import { signedIn, signOut } from './auth';
import { liveConnected } from './live';
import { match, route } from './router';
import { can, session, sessionState, type Session } from './session';
import { Button, Link, Loading } from './ui';
import Account from './screens/Account';
import AlertDetail from './screens/AlertDetail';
import Alerts from './screens/Alerts';
import Components from './screens/Components';
import IncidentDetail from './screens/IncidentDetail';
import IncidentForm from './screens/IncidentForm';
import Incidents from './screens/Incidents';
import Maintenance from './screens/Maintenance';
import Monitors from './screens/Monitors';
import OnCall from './screens/OnCall';
import Overview from './screens/Overview';
import People from './screens/People';
import Policies from './screens/Policies';
import Schedules from './screens/Schedules';
import Services from './screens/Services';
import Settings from './screens/Settings';
import Setup from './screens/Setup';
import SignIn from './screens/SignIn';
import Subscribers from './screens/Subscribers';
import Templates from './screens/Templates';
import Users from './screens/Users';

addMessages('en', {
  'nav.overview': 'Overview',
  'nav.incidents': 'Incidents',
  'nav.maintenance': 'Maintenance',
  'nav.templates': 'Templates',
  'nav.components': 'Components',
  'nav.monitors': 'Monitors',
  'nav.alerts': 'Alerts',
  'nav.services': 'Services',
  'nav.policies': 'Escalation policies',
  'nav.subscribers': 'Subscribers',
  'nav.settings': 'Settings',
  'nav.users': 'Users',
  'nav.oncall': 'On call',
  'nav.schedules': 'Schedules',
  'nav.people': 'People',
  'nav.account': 'My account',
  'nav.menu': 'Menu',
  'nav.signout': 'Sign out',
  'nav.public': 'Public page',
  'nav.live.on': 'Live',
  'nav.live.off': 'Reconnecting…',
  'nav.language': 'Language',
  'app.notfound': 'This page does not exist.',
  'app.role.owner': 'Owner',
  'app.role.responder': 'Responder',
  'app.role.stakeholder': 'Stakeholder',
});
addMessages('de', {
  'nav.overview': 'Übersicht',
  'nav.incidents': 'Störungen',
  'nav.maintenance': 'Wartungen',
  'nav.templates': 'Vorlagen',
  'nav.components': 'Komponenten',
  'nav.monitors': 'Monitore',
  'nav.alerts': 'Alarme',
  'nav.services': 'Dienste',
  'nav.policies': 'Eskalationsrichtlinien',
  'nav.subscribers': 'Abonnenten',
  'nav.settings': 'Einstellungen',
  'nav.users': 'Benutzer',
  'nav.oncall': 'Bereitschaft',
  'nav.schedules': 'Dienstpläne',
  'nav.people': 'Personen',
  'nav.account': 'Mein Konto',
  'nav.menu': 'Menü',
  'nav.signout': 'Abmelden',
  'nav.public': 'Öffentliche Seite',
  'nav.live.on': 'Live',
  'nav.live.off': 'Verbindung wird aufgebaut…',
  'nav.language': 'Sprache',
  'app.notfound': 'Diese Seite gibt es nicht.',
  'app.role.owner': 'Inhaber',
  'app.role.responder': 'Bearbeiter',
  'app.role.stakeholder': 'Beobachter',
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Route = { pattern: string; screen: ComponentType<any> };

const routes: Route[] = [
  { pattern: '/', screen: Overview },
  { pattern: '/incidents', screen: Incidents },
  { pattern: '/incidents/new', screen: IncidentForm },
  { pattern: '/incidents/:id', screen: IncidentDetail },
  { pattern: '/maintenance', screen: Maintenance },
  { pattern: '/maintenance/:id', screen: Maintenance },
  { pattern: '/templates', screen: Templates },
  { pattern: '/components', screen: Components },
  { pattern: '/monitors', screen: Monitors },
  { pattern: '/monitors/:id', screen: Monitors },
  { pattern: '/alerts', screen: Alerts },
  { pattern: '/alerts/:id', screen: AlertDetail },
  { pattern: '/services', screen: Services },
  { pattern: '/services/:id', screen: Services },
  { pattern: '/escalation-policies', screen: Policies },
  { pattern: '/escalation-policies/:id', screen: Policies },
  { pattern: '/subscribers', screen: Subscribers },
  { pattern: '/settings', screen: Settings },
  { pattern: '/users', screen: Users },
  { pattern: '/account', screen: Account },
  { pattern: '/oncall', screen: OnCall },
  { pattern: '/schedules', screen: Schedules },
  { pattern: '/schedules/:id', screen: Schedules },
  { pattern: '/people', screen: People },
];

type NavItem = { path: string; key: string; role: 'stakeholder' | 'responder' | 'owner' };
const nav: NavItem[] = [
  { path: '/', key: 'nav.overview', role: 'stakeholder' },
  { path: '/incidents', key: 'nav.incidents', role: 'stakeholder' },
  { path: '/maintenance', key: 'nav.maintenance', role: 'stakeholder' },
  { path: '/templates', key: 'nav.templates', role: 'stakeholder' },
  { path: '/components', key: 'nav.components', role: 'stakeholder' },
  { path: '/monitors', key: 'nav.monitors', role: 'stakeholder' },
  { path: '/alerts', key: 'nav.alerts', role: 'stakeholder' },
  { path: '/services', key: 'nav.services', role: 'stakeholder' },
  { path: '/escalation-policies', key: 'nav.policies', role: 'stakeholder' },
  { path: '/oncall', key: 'nav.oncall', role: 'stakeholder' },
  { path: '/schedules', key: 'nav.schedules', role: 'stakeholder' },
  { path: '/people', key: 'nav.people', role: 'stakeholder' },
  { path: '/subscribers', key: 'nav.subscribers', role: 'responder' },
  { path: '/settings', key: 'nav.settings', role: 'owner' },
  { path: '/users', key: 'nav.users', role: 'owner' },
];

const menuOpen = signal(false);

async function probe(): Promise<void> {
  try {
    signedIn(await api<Session>('GET', '/api/v1/session'));
    return;
  } catch {
    // 401: not signed in. Anything else (server unreachable): the sign-in form reports it.
  }
  try {
    const s = await api<{ needs_owner: boolean }>('GET', '/api/v1/setup');
    sessionState.value = s.needs_owner ? 'needs-owner' : 'signed-out';
  } catch {
    sessionState.value = 'signed-out';
  }
}

function isActive(path: string, current: string): boolean {
  return path === '/' ? current === '/' : current === path || current.startsWith(`${path}/`);
}

function LangSwitch() {
  return (
    <div class="lang-switch" role="group" aria-label={t('nav.language')}>
      {(['en', 'de'] as const).map((l) => (
        <button
          type="button"
          key={l}
          class={`btn btn-link${lang.value === l ? ' active' : ''}`}
          aria-pressed={lang.value === l ? 'true' : 'false'}
          onClick={() => setLang(l)}
        >
          {l.toUpperCase()}
        </button>
      ))}
    </div>
  );
}

function Shell() {
  const current = route.value;
  const s = session.value!;
  let body = <p class="empty">{t('app.notfound')}</p>;
  for (const r of routes) {
    const params = match(r.pattern, current);
    if (params) {
      const Screen = r.screen;
      body = <Screen key={r.pattern} {...params} />;
      break;
    }
  }
  return (
    <div class={`shell${menuOpen.value ? ' menu-open' : ''}`}>
      <header class="topbar">
        <button
          type="button"
          class="btn btn-link menu-toggle"
          aria-expanded={menuOpen.value ? 'true' : 'false'}
          aria-controls="nav"
          onClick={() => (menuOpen.value = !menuOpen.value)}
        >
          ☰ {t('nav.menu')}
        </button>
        <Link href="/" class="brand">
          tocsin
        </Link>
        <span class={`live-dot${liveConnected.value ? ' on' : ''}`} title={liveConnected.value ? t('nav.live.on') : t('nav.live.off')} />
        <div class="topbar-right">
          <LangSwitch />
          <Link href="/account" class="user-name" title={t(`app.role.${s.user.role}`)}>
            {s.user.name || s.user.email}
          </Link>
          <Button kind="link" onClick={() => void signOut()}>
            {t('nav.signout')}
          </Button>
        </div>
      </header>
      <nav id="nav" class="sidenav" aria-label={t('nav.menu')} onClick={() => (menuOpen.value = false)}>
        <ul>
          {nav
            .filter((n) => can(n.role))
            .map((n) => (
              <li key={n.path}>
                <Link href={n.path} class={isActive(n.path, current) ? 'active' : undefined} aria-current={isActive(n.path, current) ? 'page' : undefined}>
                  {t(n.key)}
                </Link>
              </li>
            ))}
          <li>
            <Link href="/account" class={isActive('/account', current) ? 'active' : undefined}>
              {t('nav.account')}
            </Link>
          </li>
          <li>
            <a href="/" target="_blank" rel="noopener noreferrer">
              {t('nav.public')} ↗
            </a>
          </li>
        </ul>
      </nav>
      <main class="content">{body}</main>
    </div>
  );
}

export function App() {
  useEffect(() => {
    document.documentElement.lang = lang.value;
    void probe();
  }, []);
  const state = sessionState.value;
  if (state === 'loading') return <Loading />;
  if (state === 'needs-owner') return <Setup />;
  if (state === 'signed-out') return <SignIn />;
  return <Shell />;
}
