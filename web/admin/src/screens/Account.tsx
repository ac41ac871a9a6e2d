// The signed-in user's own account: who am I, language, change password, sign out.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { signOut } from '../auth';
import { addMessages, lang, setLang, t } from '../i18n';
import { session } from '../session';
import { Button, ErrorBox, Field, PageTitle } from '../ui';

addMessages('en', {
  'account.title': 'My account',
  'account.role': 'Role',
  'account.language': 'Language',
  'account.password': 'Change password',
  'account.current': 'Current password',
  'account.new': 'New password',
  'account.new2': 'Repeat new password',
  'account.mismatch': 'The new passwords differ.',
  'account.changed': 'Your password has been changed.',
  'account.submit': 'Change password',
  'account.signout': 'Sign out',
});
addMessages('de', {
  'account.title': 'Mein Konto',
  'account.role': 'Rolle',
  'account.language': 'Sprache',
  'account.password': 'Passwort ändern',
  'account.current': 'Aktuelles Passwort',
  'account.new': 'Neues Passwort',
  'account.new2': 'Neues Passwort wiederholen',
  'account.mismatch': 'Die neuen Passwörter stimmen nicht überein.',
  'account.changed': 'Ihr Passwort wurde geändert.',
  'account.submit': 'Passwort ändern',
  'account.signout': 'Abmelden',
});

export default function Account(_props: Record<string, string>) {
  const s = session.value;
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [next2, setNext2] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [local, setLocal] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    setLocal(null);
    setDone(false);
    if (next !== next2) return setLocal(t('account.mismatch'));
    setBusy(true);
    try {
      await api('POST', '/api/v1/session/password', { current_password: current, new_password: next });
      setDone(true);
      setCurrent('');
      setNext('');
      setNext2('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!s) return null;
  return (
    <div>
      <PageTitle title={t('account.title')}>
        <Button onClick={() => void signOut()}>{t('account.signout')}</Button>
      </PageTitle>
      <div class="panel">
        <p>
          <strong>{s.user.name}</strong> · {s.user.email}
        </p>
        <p>
          {t('account.role')}: {t(`app.role.${s.user.role}`)}
        </p>
        <Field id="account-language" label={t('account.language')}>
          <select id="account-language" value={lang.value} onChange={(e) => setLang(e.currentTarget.value as 'en' | 'de')}>
            <option value="en">English</option>
            <option value="de">Deutsch</option>
          </select>
        </Field>
      </div>
      <form class="panel" onSubmit={submit} noValidate>
        <h2>{t('account.password')}</h2>
        {done ? (
          <div class="notice" role="status">
            {t('account.changed')}
          </div>
        ) : null}
        <ErrorBox error={error} />
        {local ? (
          <div class="error-box" role="alert">
            {local}
          </div>
        ) : null}
        <Field id="account-current" label={t('account.current')}>
          <input id="account-current" type="password" autocomplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
        </Field>
        <Field id="account-new" label={t('account.new')}>
          <input id="account-new" type="password" autocomplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} />
        </Field>
        <Field id="account-new2" label={t('account.new2')}>
          <input id="account-new2" type="password" autocomplete="new-password" value={next2} onInput={(e) => setNext2(e.currentTarget.value)} />
        </Field>
        <Button kind="primary" type="submit" busy={busy}>
          {t('account.submit')}
        </Button>
      </form>
    </div>
  );
}
