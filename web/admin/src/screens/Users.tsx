// Users (owner only): create with role and password, change role, delete (the API refuses the
// last owner and says why). API tokens: create (the secret is shown once, with a copy button),
// revoke.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, formatTime, t } from '../i18n';
import { useResource } from '../resource';
import { can, session } from '../session';
import { Button, Dialog, Empty, ErrorBox, Field, Loading, PageTitle } from '../ui';
import './users.css';

addMessages('en', {
  'users.title': 'Users and API tokens',
  'users.users': 'Users',
  'users.new': 'New user',
  'users.email': 'E-mail address',
  'users.name': 'Name',
  'users.role': 'Role',
  'users.roleOf': 'Role of {name}',
  'users.password': 'Password',
  'users.passwordHint': 'At least 10 characters. Tell the person; they can change it under "My account".',
  'users.language': 'Language',
  'users.create': 'Create user',
  'users.delete': 'Delete',
  'users.deleteConfirm': 'Delete the user {name} ({email})? Their sessions end at once.',
  'users.you': 'you',
  'users.ownRole': 'Change your own role? You will have to sign in again, and may lose access to this page.',
  'users.lastLogin': 'last sign-in {time}',
  'users.neverLoggedIn': 'never signed in',
  'users.roles': 'Owners manage users, tokens and settings; responders handle incidents, components, monitors and subscribers; stakeholders only read.',
  'users.ownerOnly': 'Only owners manage users and API tokens.',
  'users.tokens': 'API tokens',
  'users.tokens.hint': 'For scripts and probes: send "Authorization: Bearer <token>".',
  'users.tokens.new': 'New token',
  'users.tokens.name': 'Token name',
  'users.tokens.role': 'Token role',
  'users.tokens.create': 'Create token',
  'users.tokens.secret': 'The new token',
  'users.tokens.once': 'Copy the token now: it is shown only once and cannot be retrieved later.',
  'users.tokens.copy': 'Copy',
  'users.tokens.copied': 'Copied',
  'users.tokens.done': 'Done',
  'users.tokens.revoke': 'Revoke',
  'users.tokens.revokeConfirm': 'Revoke the token {name}? Whatever uses it stops working.',
  'users.tokens.revoked': 'revoked {time}',
  'users.tokens.created': 'created {time}',
  'users.tokens.empty': 'No API tokens.',
  'users.tokens.showRevoked': 'Show revoked tokens',
  'users.role.owner': 'Owner',
  'users.role.responder': 'Responder',
  'users.role.stakeholder': 'Stakeholder',
  'users.role.probe': 'Probe (remote checks)',
});
addMessages('de', {
  'users.title': 'Benutzer und API-Tokens',
  'users.users': 'Benutzer',
  'users.new': 'Neuer Benutzer',
  'users.email': 'E-Mail-Adresse',
  'users.name': 'Name',
  'users.role': 'Rolle',
  'users.roleOf': 'Rolle von {name}',
  'users.password': 'Passwort',
  'users.passwordHint': 'Mindestens 10 Zeichen. Teilen Sie es der Person mit; sie kann es unter „Mein Konto“ ändern.',
  'users.language': 'Sprache',
  'users.create': 'Benutzer anlegen',
  'users.delete': 'Löschen',
  'users.deleteConfirm': 'Den Benutzer {name} ({email}) löschen? Seine Sitzungen enden sofort.',
  'users.you': 'Sie',
  'users.ownRole': 'Die eigene Rolle ändern? Sie müssen sich danach neu anmelden und verlieren eventuell den Zugang zu dieser Seite.',
  'users.lastLogin': 'zuletzt angemeldet {time}',
  'users.neverLoggedIn': 'noch nie angemeldet',
  'users.roles': 'Inhaber verwalten Benutzer, Tokens und Einstellungen; Bearbeiter kümmern sich um Störungen, Komponenten, Monitore und Abonnenten; Beobachter lesen nur.',
  'users.ownerOnly': 'Nur Inhaber verwalten Benutzer und API-Tokens.',
  'users.tokens': 'API-Tokens',
  'users.tokens.hint': 'Für Skripte und Proben: „Authorization: Bearer <Token>“ senden.',
  'users.tokens.new': 'Neues Token',
  'users.tokens.name': 'Name des Tokens',
  'users.tokens.role': 'Rolle des Tokens',
  'users.tokens.create': 'Token erzeugen',
  'users.tokens.secret': 'Das neue Token',
  'users.tokens.once': 'Kopieren Sie das Token jetzt: Es wird nur einmal angezeigt und lässt sich später nicht abrufen.',
  'users.tokens.copy': 'Kopieren',
  'users.tokens.copied': 'Kopiert',
  'users.tokens.done': 'Fertig',
  'users.tokens.revoke': 'Widerrufen',
  'users.tokens.revokeConfirm': 'Das Token {name} widerrufen? Was es benutzt, funktioniert dann nicht mehr.',
  'users.tokens.revoked': 'widerrufen {time}',
  'users.tokens.created': 'erzeugt {time}',
  'users.tokens.empty': 'Keine API-Tokens.',
  'users.tokens.showRevoked': 'Widerrufene Tokens zeigen',
  'users.role.owner': 'Inhaber',
  'users.role.responder': 'Bearbeiter',
  'users.role.stakeholder': 'Beobachter',
  'users.role.probe': 'Probe (entfernte Prüfungen)',
});

const kRoles = ['owner', 'responder', 'stakeholder'] as const;

interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  language: string;
  created_at: string;
  last_login_at: string | null;
}

interface Token {
  id: string;
  name: string;
  role: string;
  created_at: string;
  revoked_at: string | null;
  token?: string;
}

function NewUser(props: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('responder');
  const [password, setPassword] = useState('');
  const [language, setLanguage] = useState('en');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/api/v1/users', { email, name, role, password, language });
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit}>
      <Field id="user-email" label={t('users.email')}>
        <input id="user-email" type="email" required autoComplete="off" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </Field>
      <Field id="user-name" label={t('users.name')}>
        <input id="user-name" type="text" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <div class="form-grid">
        <Field id="user-role" label={t('users.role')}>
          <select id="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {kRoles.map((r) => (
              <option value={r}>{t(`users.role.${r}`)}</option>
            ))}
          </select>
        </Field>
        <Field id="user-language" label={t('users.language')}>
          <select id="user-language" value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
            <option value="en">English</option>
            <option value="de">Deutsch</option>
          </select>
        </Field>
      </div>
      <Field id="user-password" label={t('users.password')} hint={t('users.passwordHint')}>
        <input
          id="user-password"
          type="password"
          required
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </Field>
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {t('users.create')}
        </Button>
        <Button onClick={props.onDone}>{t('ui.cancel')}</Button>
      </div>
    </form>
  );
}

function UserList() {
  const res = useResource<{ data: User[] }>('/api/v1/users', ['users']);
  const [creating, setCreating] = useState(false);
  // Errors are shown on the row they belong to (e.g. "the last owner cannot be deleted").
  const [rowError, setRowError] = useState<{ id: string; error: unknown } | null>(null);
  const me = session.value?.user.id;

  const changeRole = async (u: User, role: string) => {
    // A new role ends that user's sessions: for oneself that means signing in again.
    if (u.id === me && !window.confirm(t('users.ownRole'))) {
      res.reload();
      return;
    }
    setRowError(null);
    try {
      await api('PATCH', `/api/v1/users/${encodeURIComponent(u.id)}`, { role });
    } catch (e) {
      setRowError({ id: u.id, error: e });
    }
    res.reload();
  };
  const remove = async (u: User) => {
    if (!window.confirm(t('users.deleteConfirm', { name: u.name, email: u.email }))) return;
    setRowError(null);
    try {
      await api('DELETE', `/api/v1/users/${encodeURIComponent(u.id)}`);
    } catch (e) {
      setRowError({ id: u.id, error: e });
    }
    res.reload();
  };

  const users = res.data?.data ?? [];
  return (
    <section class="users-section">
      <div class="section-head">
        <h2>{t('users.users')}</h2>
        <Button kind="primary" onClick={() => setCreating(true)}>
          {t('users.new')}
        </Button>
      </div>
      <p class="hint">{t('users.roles')}</p>
      <ErrorBox error={res.error} />
      {res.loading && !res.data ? <Loading /> : null}
      {users.length > 0 ? (
        <ul class="list user-list">
          {users.map((u) => (
            <li data-id={u.id} key={u.id}>
              <div class="grow">
                <div class="user-title">
                  {u.name}
                  {u.id === me ? <span class="muted"> ({t('users.you')})</span> : null}
                </div>
                <div class="meta break">
                  {u.email} · {u.language} ·{' '}
                  {u.last_login_at ? t('users.lastLogin', { time: formatTime(u.last_login_at) }) : t('users.neverLoggedIn')}
                </div>
              </div>
              <select
                class="user-role"
                aria-label={t('users.roleOf', { name: u.name })}
                value={u.role}
                onChange={(e) => void changeRole(u, e.currentTarget.value)}
              >
                {kRoles.map((r) => (
                  <option value={r}>{t(`users.role.${r}`)}</option>
                ))}
              </select>
              <Button class="btn-small" kind="danger" onClick={() => void remove(u)}>
                {t('users.delete')}
              </Button>
              {rowError && rowError.id === u.id ? (
                <div class="row-error">
                  <ErrorBox error={rowError.error} />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <Dialog open={creating} title={t('users.new')} onClose={() => setCreating(false)}>
        {creating ? (
          <NewUser
            onDone={() => {
              setCreating(false);
              res.reload();
            }}
          />
        ) : null}
      </Dialog>
    </section>
  );
}

function CopyButton(props: { text: string }) {
  const [done, setDone] = useState(false);
  return (
    <Button
      class="btn-small"
      onClick={() => {
        const ok = () => {
          setDone(true);
          setTimeout(() => setDone(false), 2000);
        };
        if (navigator.clipboard) navigator.clipboard.writeText(props.text).then(ok, () => {});
      }}
    >
      {done ? t('users.tokens.copied') : t('users.tokens.copy')}
    </Button>
  );
}

function TokenList() {
  const res = useResource<Token[]>('/api/v1/tokens', ['users']);
  const [name, setName] = useState('');
  const [role, setRole] = useState('responder');
  const [created, setCreated] = useState<Token | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [showRevoked, setShowRevoked] = useState(false);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const tok = await api<Token>('POST', '/api/v1/tokens', { name, role });
      setCreated(tok);
      setName('');
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (tok: Token) => {
    if (!window.confirm(t('users.tokens.revokeConfirm', { name: tok.name }))) return;
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/tokens/${encodeURIComponent(tok.id)}`);
    } catch (err) {
      setError(err);
    }
    res.reload();
  };

  const all = res.data ?? [];
  const shown = all.filter((x) => showRevoked || !x.revoked_at);
  return (
    <section class="tokens-section">
      <h2>{t('users.tokens')}</h2>
      <p class="hint">{t('users.tokens.hint')}</p>
      <form onSubmit={create} class="token-form">
        <Field id="token-name" label={t('users.tokens.name')}>
          <input id="token-name" type="text" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="token-role" label={t('users.tokens.role')}>
          <select id="token-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {[...kRoles, 'probe'].map((r) => (
              <option value={r}>{t(`users.role.${r}`)}</option>
            ))}
          </select>
        </Field>
        <div class="token-submit">
          <Button kind="primary" type="submit" busy={busy}>
            {t('users.tokens.create')}
          </Button>
        </div>
      </form>
      <ErrorBox error={error ?? res.error} />
      {created?.token ? (
        <div class="panel token-secret" role="status">
          <label for="token-secret">{t('users.tokens.secret')}</label>
          <p class="hint">{t('users.tokens.once')}</p>
          <div class="row">
            <input id="token-secret" type="text" readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={created.token} />
            <Button class="btn-small" onClick={() => setCreated(null)}>
              {t('users.tokens.done')}
            </Button>
          </div>
        </div>
      ) : null}
      {res.loading && !res.data ? <Loading /> : null}
      {res.data && shown.length === 0 ? <Empty text={t('users.tokens.empty')} /> : null}
      {shown.length > 0 ? (
        <ul class="list token-list">
          {shown.map((tok) => (
            <li data-id={tok.id} key={tok.id} class={tok.revoked_at ? 'revoked' : ''}>
              <div class="grow">
                <div class="token-name">{tok.name}</div>
                <div class="meta">
                  {t(`users.role.${tok.role}`)} · {t('users.tokens.created', { time: formatTime(tok.created_at) })}
                  {tok.revoked_at ? ` · ${t('users.tokens.revoked', { time: formatTime(tok.revoked_at) })}` : ''}
                </div>
              </div>
              {!tok.revoked_at ? (
                <Button class="btn-small" kind="danger" onClick={() => void revoke(tok)}>
                  {t('users.tokens.revoke')}
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {all.some((x) => x.revoked_at) ? (
        <div class="field field-inline revoked-toggle">
          <input id="tokens-show-revoked" type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.currentTarget.checked)} />
          <label for="tokens-show-revoked">{t('users.tokens.showRevoked')}</label>
        </div>
      ) : null}
    </section>
  );
}

export default function Users(_props: Record<string, string>) {
  if (!can('owner')) {
    return (
      <div class="screen-users">
        <PageTitle title={t('users.title')} />
        <p class="error-box">{t('users.ownerOnly')}</p>
      </div>
    );
  }
  return (
    <div class="screen-users">
      <PageTitle title={t('users.title')} />
      <UserList />
      <TokenList />
    </div>
  );
}
