// Sign-in with e-mail and password; a wrong password and too many attempts are told apart.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { signedIn } from '../auth';
import { addMessages, lang, setLang, t } from '../i18n';
import type { Session } from '../session';
import { Button, ErrorBox, Field } from '../ui';

addMessages('en', {
  'signin.title': 'Sign in to tocsin',
  'signin.email': 'E-mail',
  'signin.password': 'Password',
  'signin.submit': 'Sign in',
  'signin.wrong': 'Wrong e-mail or password.',
  'signin.throttled': 'Too many failed attempts. Try again in {minutes} min.',
  'signin.throttled_soon': 'Too many failed attempts. Try again in a moment.',
});
addMessages('de', {
  'signin.title': 'Bei tocsin anmelden',
  'signin.email': 'E-Mail',
  'signin.password': 'Passwort',
  'signin.submit': 'Anmelden',
  'signin.wrong': 'E-Mail oder Passwort ist falsch.',
  'signin.throttled': 'Zu viele Fehlversuche. Bitte in {minutes} Min. erneut versuchen.',
  'signin.throttled_soon': 'Zu viele Fehlversuche. Bitte gleich erneut versuchen.',
});

export function LangLinks() {
  return (
    <div class="lang-switch">
      {(['en', 'de'] as const).map((l) => (
        <button type="button" key={l} class={`btn btn-link${lang.value === l ? ' active' : ''}`} onClick={() => setLang(l)}>
          {l === 'en' ? 'English' : 'Deutsch'}
        </button>
      ))}
    </div>
  );
}

export default function SignIn(_props: Record<string, string>) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [other, setOther] = useState<unknown>(undefined);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setOther(undefined);
    try {
      const s = await api<Session>('POST', '/api/v1/session', { email, password });
      signedIn(s);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setError(t('signin.wrong'));
        setPassword('');
      } else if (err instanceof ApiError && err.status === 429) {
        setError(
          err.retryAfter && err.retryAfter >= 60
            ? t('signin.throttled', { minutes: Math.ceil(err.retryAfter / 60) })
            : t('signin.throttled_soon'),
        );
      } else {
        setOther(err);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="auth-page">
      <LangLinks />
      <form class="panel" onSubmit={submit} noValidate>
        <h1>{t('signin.title')}</h1>
        {error ? (
          <div class="error-box" role="alert" data-testid="signin-error">
            {error}
          </div>
        ) : null}
        <ErrorBox error={other} />
        <Field id="signin-email" label={t('signin.email')}>
          <input id="signin-email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field id="signin-password" label={t('signin.password')}>
          <input
            id="signin-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <Button kind="primary" type="submit" busy={busy}>
          {t('signin.submit')}
        </Button>
      </form>
    </div>
  );
}
