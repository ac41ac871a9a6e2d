// First run: no user exists yet, so the first visitor creates the owner account.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { signedIn } from '../auth';
import { addMessages, lang, t } from '../i18n';
import { sessionState, type Session } from '../session';
import { Button, ErrorBox, Field } from '../ui';
import { LangLinks } from './SignIn';

addMessages('en', {
  'setup.title': 'Welcome to tocsin',
  'setup.intro': 'Create the owner account. The owner manages users, settings and everything else.',
  'setup.name': 'Your name',
  'setup.email': 'E-mail',
  'setup.password': 'Password',
  'setup.password2': 'Repeat password',
  'setup.mismatch': 'The passwords differ.',
  'setup.submit': 'Create owner account',
});
addMessages('de', {
  'setup.title': 'Willkommen bei tocsin',
  'setup.intro': 'Legen Sie das Inhaberkonto an. Der Inhaber verwaltet Benutzer, Einstellungen und alles Weitere.',
  'setup.name': 'Ihr Name',
  'setup.email': 'E-Mail',
  'setup.password': 'Passwort',
  'setup.password2': 'Passwort wiederholen',
  'setup.mismatch': 'Die Passwörter stimmen nicht überein.',
  'setup.submit': 'Inhaberkonto anlegen',
});

export default function Setup(_props: Record<string, string>) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [local, setLocal] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    setLocal(null);
    if (password !== password2) return setLocal(t('setup.mismatch'));
    setBusy(true);
    try {
      const s = await api<Session>('POST', '/api/v1/setup', { name, email, password, language: lang.value });
      signedIn(s);
    } catch (err) {
      // Someone else created the owner meanwhile: sign in instead.
      if (err instanceof ApiError && err.status === 409) sessionState.value = 'signed-out';
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="auth-page">
      <LangLinks />
      <form class="panel" onSubmit={submit} noValidate>
        <h1>{t('setup.title')}</h1>
        <p class="muted">{t('setup.intro')}</p>
        <ErrorBox error={error} />
        {local ? (
          <div class="error-box" role="alert">
            {local}
          </div>
        ) : null}
        <Field id="setup-name" label={t('setup.name')}>
          <input id="setup-name" type="text" autocomplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="setup-email" label={t('setup.email')}>
          <input id="setup-email" type="email" autocomplete="username" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field id="setup-password" label={t('setup.password')}>
          <input id="setup-password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <Field id="setup-password2" label={t('setup.password2')}>
          <input id="setup-password2" type="password" autocomplete="new-password" value={password2} onInput={(e) => setPassword2(e.currentTarget.value)} />
        </Field>
        <Button kind="primary" type="submit" busy={busy}>
          {t('setup.submit')}
        </Button>
      </form>
    </div>
  );
}
