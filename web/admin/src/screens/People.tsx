// People: the signed-in user's on-call profile (time zone, language), contact methods (add,
// send a verification code, confirm it, delete; Web Push on this device), notification rules
// for high and low urgency; owners pick any user. Teams with members and roles (owners edit).
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, t } from '../i18n';
import { useResource } from '../resource';
import { can, session } from '../session';
import { Button, Empty, ErrorBox, Field, Loading, PageTitle } from '../ui';
import { nameOf, timeZones, useDirectory, type DirectoryUser } from './oncall-common';
import './oncall.css';

addMessages('en', {
  'people.title': 'People and teams',
  'people.user': 'Settings of',
  'people.profile': 'Profile',
  'people.zone': 'Time zone',
  'people.language': 'Language of notifications',
  'people.saved': 'Saved.',
  'people.methods': 'Contact methods',
  'people.methodsEmpty': 'No contact methods yet. Add one and verify it: only verified methods are paged.',
  'people.kind': 'Channel',
  'people.kind.email': 'E-mail',
  'people.kind.sms': 'SMS',
  'people.kind.voice': 'Voice call',
  'people.kind.ntfy': 'ntfy push',
  'people.kind.web_push': 'Web Push (browser)',
  'people.kind.slack': 'Slack',
  'people.kind.teams': 'Microsoft Teams',
  'people.kind.telegram': 'Telegram',
  'people.kind.webhook': 'Webhook',
  'people.address': 'Address',
  'people.address.email': 'name@example.com',
  'people.address.sms': '+4915112345678',
  'people.address.voice': '+4915112345678',
  'people.address.ntfy': 'https://ntfy.example/topic',
  'people.address.slack': 'U0123ABCD or https://hooks.slack.com/…',
  'people.address.teams': 'https://… (incoming webhook)',
  'people.address.telegram': 'Chat id',
  'people.address.webhook': 'https://example.com/hook',
  'people.label': 'Label (optional)',
  'people.addMethod': 'Add contact method',
  'people.verified': 'Verified',
  'people.unverified': 'Not verified',
  'people.sendCode': 'Send code',
  'people.codeSent': 'A code was sent. It expires {time}.',
  'people.code': 'Code',
  'people.codeFor': 'Code for {name}',
  'people.confirm': 'Confirm',
  'people.deleteMethod': 'Delete',
  'people.deleteMethodConfirm': 'Delete the contact method {name} and its notification rules?',
  'people.push': 'Web Push on this device',
  'people.pushHint': 'Pages appear as notifications of this browser, with a button that opens the acknowledge link.',
  'people.pushEnable': 'Enable push on this device',
  'people.pushEnabled': 'Push is enabled on this device. Send it a code to verify it.',
  'people.pushUnsupported': 'This browser cannot receive Web Push here (it needs a secure connection and service workers).',
  'people.pushDenied': 'Notifications are blocked for this site in the browser settings.',
  'people.pushDevice': 'This browser',
  'people.rules': 'Notification rules',
  'people.rulesHint': 'When you are paged, each rule sends to its channel after its delay, until someone acknowledges.',
  'people.urgency.high': 'High urgency',
  'people.urgency.low': 'Low urgency',
  'people.rulesEmpty': 'No rules: you are not notified at this urgency.',
  'people.after': 'after {n} min',
  'people.atOnce': 'at once',
  'people.delay': 'Delay (minutes)',
  'people.method': 'Contact method',
  'people.addRule': 'Add rule',
  'people.deleteRule': 'Delete rule',
  'people.teams': 'Teams',
  'people.teamsEmpty': 'No teams yet.',
  'people.teamName': 'Team name',
  'people.teamDescription': 'Description',
  'people.newTeam': 'Create team',
  'people.deleteTeam': 'Delete team',
  'people.deleteTeamConfirm': 'Delete the team {name}?',
  'people.member': 'Member',
  'people.role': 'Role',
  'people.role.manager': 'Manager',
  'people.role.member': 'Member',
  'people.roleOf': 'Role of {name} in {team}',
  'people.position': 'Position',
  'people.addMember': 'Add member',
  'people.removeMember': 'Remove {name}',
  'people.noMembers': 'No members.',
  'people.pick': 'Choose a person…',
});
addMessages('de', {
  'people.title': 'Personen und Teams',
  'people.user': 'Einstellungen von',
  'people.profile': 'Profil',
  'people.zone': 'Zeitzone',
  'people.language': 'Sprache der Benachrichtigungen',
  'people.saved': 'Gespeichert.',
  'people.methods': 'Kontaktwege',
  'people.methodsEmpty': 'Noch keine Kontaktwege. Legen Sie einen an und bestätigen Sie ihn: Nur bestätigte Wege werden gerufen.',
  'people.kind': 'Kanal',
  'people.kind.email': 'E-Mail',
  'people.kind.sms': 'SMS',
  'people.kind.voice': 'Anruf',
  'people.kind.ntfy': 'ntfy-Push',
  'people.kind.web_push': 'Web Push (Browser)',
  'people.kind.slack': 'Slack',
  'people.kind.teams': 'Microsoft Teams',
  'people.kind.telegram': 'Telegram',
  'people.kind.webhook': 'Webhook',
  'people.address': 'Adresse',
  'people.address.email': 'name@example.com',
  'people.address.sms': '+4915112345678',
  'people.address.voice': '+4915112345678',
  'people.address.ntfy': 'https://ntfy.example/thema',
  'people.address.slack': 'U0123ABCD oder https://hooks.slack.com/…',
  'people.address.teams': 'https://… (eingehender Webhook)',
  'people.address.telegram': 'Chat-ID',
  'people.address.webhook': 'https://example.com/hook',
  'people.label': 'Bezeichnung (optional)',
  'people.addMethod': 'Kontaktweg hinzufügen',
  'people.verified': 'Bestätigt',
  'people.unverified': 'Nicht bestätigt',
  'people.sendCode': 'Code senden',
  'people.codeSent': 'Ein Code wurde gesendet. Er läuft {time} ab.',
  'people.code': 'Code',
  'people.codeFor': 'Code für {name}',
  'people.confirm': 'Bestätigen',
  'people.deleteMethod': 'Löschen',
  'people.deleteMethodConfirm': 'Den Kontaktweg {name} samt seinen Benachrichtigungsregeln löschen?',
  'people.push': 'Web Push auf diesem Gerät',
  'people.pushHint': 'Rufe erscheinen als Benachrichtigungen dieses Browsers, mit einer Schaltfläche für den Bestätigungslink.',
  'people.pushEnable': 'Push auf diesem Gerät einschalten',
  'people.pushEnabled': 'Push ist auf diesem Gerät eingeschaltet. Senden Sie ihm einen Code, um es zu bestätigen.',
  'people.pushUnsupported': 'Dieser Browser kann hier kein Web Push empfangen (nötig sind eine sichere Verbindung und Service Worker).',
  'people.pushDenied': 'Benachrichtigungen sind für diese Seite in den Browser-Einstellungen gesperrt.',
  'people.pushDevice': 'Dieser Browser',
  'people.rules': 'Benachrichtigungsregeln',
  'people.rulesHint': 'Wenn Sie gerufen werden, sendet jede Regel nach ihrer Verzögerung an ihren Kanal, bis jemand bestätigt.',
  'people.urgency.high': 'Hohe Dringlichkeit',
  'people.urgency.low': 'Niedrige Dringlichkeit',
  'people.rulesEmpty': 'Keine Regeln: Sie werden bei dieser Dringlichkeit nicht benachrichtigt.',
  'people.after': 'nach {n} Min.',
  'people.atOnce': 'sofort',
  'people.delay': 'Verzögerung (Minuten)',
  'people.method': 'Kontaktweg',
  'people.addRule': 'Regel hinzufügen',
  'people.deleteRule': 'Regel löschen',
  'people.teams': 'Teams',
  'people.teamsEmpty': 'Noch keine Teams.',
  'people.teamName': 'Name des Teams',
  'people.teamDescription': 'Beschreibung',
  'people.newTeam': 'Team anlegen',
  'people.deleteTeam': 'Team löschen',
  'people.deleteTeamConfirm': 'Das Team {name} löschen?',
  'people.member': 'Mitglied',
  'people.role': 'Rolle',
  'people.role.manager': 'Leitung',
  'people.role.member': 'Mitglied',
  'people.roleOf': 'Rolle von {name} in {team}',
  'people.position': 'Position',
  'people.addMember': 'Mitglied hinzufügen',
  'people.removeMember': '{name} entfernen',
  'people.noMembers': 'Keine Mitglieder.',
  'people.pick': 'Person wählen…',
});

const kKinds = ['email', 'sms', 'voice', 'ntfy', 'slack', 'teams', 'telegram', 'webhook'] as const;

interface Profile {
  id: string;
  email: string;
  name: string;
  language: string;
  time_zone: string;
}

interface Method {
  id: string;
  user_id: string;
  kind: string;
  label: string;
  address: string;
  verified: boolean;
  created_at: string;
}

interface Rule {
  id: string;
  contact_method_id: string;
  urgency: 'high' | 'low';
  delay_minutes: number;
}

interface Team {
  id: string;
  name: string;
  description: string;
  members: { user_id: string; role: string; position: number }[];
}

function methodName(m: Method): string {
  return `${t(`people.kind.${m.kind}`)}: ${m.label || (m.kind === 'web_push' ? t('people.pushDevice') : m.address)}`;
}

function ProfileForm(props: { userId: string }) {
  const res = useResource<Profile>(`/api/v1/users/${encodeURIComponent(props.userId)}/profile`, ['people']);
  const p = res.data;
  const [zone, setZone] = useState<string | null>(null);
  const [language, setLanguage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const write = can('responder');
  const zones = timeZones();
  const z = zone ?? (p?.time_zone || 'UTC');
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await api('PATCH', `/api/v1/users/${encodeURIComponent(props.userId)}/profile`, { time_zone: z, language: language ?? p?.language ?? 'en' });
      setSaved(true);
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="oc-section">
      <h2>{t('people.profile')}</h2>
      <ErrorBox error={res.error} />
      {res.loading && !p ? <Loading /> : null}
      {p ? (
        <form class="panel" onSubmit={submit}>
          <div class="form-grid">
            <Field id="profile-zone" label={t('people.zone')}>
              <select id="profile-zone" disabled={!write} value={z} onChange={(e) => setZone(e.currentTarget.value)}>
                {(zones.includes(z) ? zones : [z, ...zones]).map((x) => (
                  <option value={x}>{x}</option>
                ))}
              </select>
            </Field>
            <Field id="profile-language" label={t('people.language')}>
              <select id="profile-language" disabled={!write} value={language ?? p.language} onChange={(e) => setLanguage(e.currentTarget.value)}>
                <option value="en">English</option>
                <option value="de">Deutsch</option>
              </select>
            </Field>
          </div>
          <ErrorBox error={error} />
          {saved ? <p class="notice">{t('people.saved')}</p> : null}
          {write ? (
            <div class="form-actions">
              <Button kind="primary" type="submit" busy={busy}>
                {t('ui.save')}
              </Button>
            </div>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}

function base64UrlToBytes(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function pushSupported(): boolean {
  return window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** Registers the admin service worker (scope /admin/), subscribes and stores the subscription. */
async function enablePush(userId: string): Promise<void> {
  const reg = await navigator.serviceWorker.register('/admin/sw.js', { scope: '/admin/' });
  await navigator.serviceWorker.ready;
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error(t('people.pushDenied'));
  const { public_key } = await api<{ public_key: string }>('GET', '/api/v1/web-push/key');
  const key = base64UrlToBytes(public_key);
  let sub = await reg.pushManager.getSubscription();
  if (sub) {
    // A subscription made with another server key cannot be reused.
    const old = sub.options.applicationServerKey;
    const same = old && new Uint8Array(old).every((b, i) => b === key[i]) && new Uint8Array(old).length === key.length;
    if (!same) {
      await sub.unsubscribe();
      sub = null;
    }
  }
  if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key as BufferSource });
  await api('POST', `/api/v1/users/${encodeURIComponent(userId)}/contact-methods`, {
    kind: 'web_push',
    label: t('people.pushDevice'),
    data: sub.toJSON(),
  });
}

function PushPanel(props: { userId: string; onDone: () => void }) {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const supported = pushSupported();
  const denied = supported && Notification.permission === 'denied';
  return (
    <div class="panel oc-push">
      <h3>{t('people.push')}</h3>
      <p class="hint">{t('people.pushHint')}</p>
      {!supported ? <p class="muted">{t('people.pushUnsupported')}</p> : null}
      {denied ? <p class="muted">{t('people.pushDenied')}</p> : null}
      {done ? <p class="notice">{t('people.pushEnabled')}</p> : null}
      <ErrorBox error={error} />
      {supported && !denied ? (
        <Button
          busy={busy}
          onClick={async () => {
            setBusy(true);
            setError(undefined);
            try {
              await enablePush(props.userId);
              setDone(true);
              props.onDone();
            } catch (e) {
              setError(e);
            } finally {
              setBusy(false);
            }
          }}
        >
          {t('people.pushEnable')}
        </Button>
      ) : null}
    </div>
  );
}

function MethodRow(props: { userId: string; m: Method; write: boolean; onChange: () => void }) {
  const { m } = props;
  const base = `/api/v1/users/${encodeURIComponent(props.userId)}/contact-methods/${encodeURIComponent(m.id)}`;
  const [code, setCode] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const name = methodName(m);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li data-id={m.id} data-kind={m.kind}>
      <div class="grow">
        <div class="oc-schedule-name">
          {t(`people.kind.${m.kind}`)}
          {m.label ? ` · ${m.label}` : ''}
        </div>
        <div class="meta break">{m.kind === 'web_push' ? t('people.pushDevice') : m.address}</div>
      </div>
      <span class={`badge ${m.verified ? 'badge-ok' : 'badge-warn'}`} data-verified={m.verified ? 'true' : 'false'}>
        {m.verified ? t('people.verified') : t('people.unverified')}
      </span>
      {props.write && !m.verified ? (
        <Button
          class="btn-small"
          busy={busy}
          onClick={() =>
            void run(async () => {
              const r = await api<{ expires_at: string }>('POST', `${base}/verify`);
              setSent(r.expires_at);
            })
          }
        >
          {t('people.sendCode')}
        </Button>
      ) : null}
      {props.write ? (
        <Button
          class="btn-small"
          kind="danger"
          onClick={() =>
            void run(async () => {
              if (!window.confirm(t('people.deleteMethodConfirm', { name }))) return;
              await api('DELETE', base);
              props.onChange();
            })
          }
        >
          {t('people.deleteMethod')}
        </Button>
      ) : null}
      {sent && !m.verified ? (
        <form
          class="row oc-code"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await api('POST', `${base}/confirm`, { code: code.trim() });
              setSent(null);
              setCode('');
              props.onChange();
            });
          }}
        >
          <span class="hint">{t('people.codeSent', { time: new Date(sent).toLocaleTimeString() })}</span>
          <input
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            aria-label={t('people.codeFor', { name })}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
          <Button kind="primary" type="submit" class="btn-small" busy={busy}>
            {t('people.confirm')}
          </Button>
        </form>
      ) : null}
      {error ? (
        <div class="row-error">
          <ErrorBox error={error} />
        </div>
      ) : null}
    </li>
  );
}

function NewMethod(props: { userId: string; onDone: () => void }) {
  const [kind, setKind] = useState<string>('email');
  const [address, setAddress] = useState('');
  const [label, setLabel] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/api/v1/users/${encodeURIComponent(props.userId)}/contact-methods`, { kind, address, label });
      setAddress('');
      setLabel('');
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel oc-method-form" onSubmit={submit}>
      <div class="form-grid">
        <Field id="method-kind" label={t('people.kind')}>
          <select id="method-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {kKinds.map((k) => (
              <option value={k}>{t(`people.kind.${k}`)}</option>
            ))}
          </select>
        </Field>
        <Field id="method-address" label={t('people.address')}>
          <input
            id="method-address"
            type={kind === 'email' ? 'email' : kind === 'sms' || kind === 'voice' ? 'tel' : 'text'}
            required
            maxLength={2048}
            placeholder={t(`people.address.${kind}`)}
            value={address}
            onInput={(e) => setAddress(e.currentTarget.value)}
          />
        </Field>
        <Field id="method-label" label={t('people.label')}>
          <input id="method-label" type="text" maxLength={100} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        </Field>
      </div>
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {t('people.addMethod')}
        </Button>
      </div>
    </form>
  );
}

function RulesFor(props: { userId: string; urgency: 'high' | 'low'; rules: Rule[]; methods: Method[]; write: boolean; onChange: () => void }) {
  const [mid, setMid] = useState('');
  const [delay, setDelay] = useState('0');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const base = `/api/v1/users/${encodeURIComponent(props.userId)}/notification-rules`;
  const list = props.rules.filter((r) => r.urgency === props.urgency).sort((a, b) => a.delay_minutes - b.delay_minutes);
  const p = `rule-${props.urgency}`;
  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', base, { contact_method_id: mid, urgency: props.urgency, delay_minutes: Number(delay) });
      props.onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (rid: string) => {
    setError(undefined);
    try {
      await api('DELETE', `${base}/${encodeURIComponent(rid)}`);
      props.onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="panel oc-rules" data-urgency={props.urgency}>
      <h3>{t(`people.urgency.${props.urgency}`)}</h3>
      {list.length === 0 ? <p class="muted">{t('people.rulesEmpty')}</p> : null}
      {list.length > 0 ? (
        <ul class="list">
          {list.map((r) => {
            const m = props.methods.find((x) => x.id === r.contact_method_id);
            return (
              <li key={r.id} data-id={r.id}>
                <span class="grow">{m ? methodName(m) : r.contact_method_id}</span>
                <span class="muted">{r.delay_minutes === 0 ? t('people.atOnce') : t('people.after', { n: r.delay_minutes })}</span>
                {props.write ? (
                  <Button class="btn-small" kind="link" aria-label={t('people.deleteRule')} onClick={() => void remove(r.id)}>
                    ×
                  </Button>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      {props.write && props.methods.length > 0 ? (
        <form class="oc-rule-form" onSubmit={add}>
          <div class="form-grid">
            <Field id={`${p}-method`} label={t('people.method')}>
              <select id={`${p}-method`} required value={mid} onChange={(e) => setMid(e.currentTarget.value)}>
                <option value="">{t('people.pick')}</option>
                {props.methods.map((m) => (
                  <option value={m.id}>{methodName(m)}</option>
                ))}
              </select>
            </Field>
            <Field id={`${p}-delay`} label={t('people.delay')}>
              <input id={`${p}-delay`} type="number" min={0} max={1440} required value={delay} onInput={(e) => setDelay(e.currentTarget.value)} />
            </Field>
          </div>
          <ErrorBox error={error} />
          <div class="form-actions">
            <Button type="submit" busy={busy}>
              {t('people.addRule')}
            </Button>
          </div>
        </form>
      ) : (
        <ErrorBox error={error} />
      )}
    </div>
  );
}

function ContactSettings(props: { userId: string; self: boolean }) {
  const base = `/api/v1/users/${encodeURIComponent(props.userId)}`;
  const methods = useResource<{ data: Method[] }>(`${base}/contact-methods`, ['people']);
  const rules = useResource<{ data: Rule[] }>(`${base}/notification-rules`, ['people']);
  const write = can('responder');
  const list = methods.data?.data ?? [];
  const reload = () => {
    methods.reload();
    rules.reload();
  };
  return (
    <>
      <section class="oc-section">
        <h2>{t('people.methods')}</h2>
        <ErrorBox error={methods.error} />
        {methods.loading && !methods.data ? <Loading /> : null}
        {methods.data && list.length === 0 ? <Empty text={t('people.methodsEmpty')} /> : null}
        {list.length > 0 ? (
          <ul class="list oc-methods">
            {list.map((m) => (
              <MethodRow key={m.id} userId={props.userId} m={m} write={write} onChange={reload} />
            ))}
          </ul>
        ) : null}
        {write ? <NewMethod userId={props.userId} onDone={reload} /> : null}
        {write && props.self ? <PushPanel userId={props.userId} onDone={reload} /> : null}
      </section>
      <section class="oc-section">
        <h2>{t('people.rules')}</h2>
        <p class="hint">{t('people.rulesHint')}</p>
        <ErrorBox error={rules.error} />
        <div class="cards">
          {(['high', 'low'] as const).map((u) => (
            <RulesFor key={u} userId={props.userId} urgency={u} rules={rules.data?.data ?? []} methods={list} write={write} onChange={reload} />
          ))}
        </div>
      </section>
    </>
  );
}

function TeamCard(props: { team: Team; users: DirectoryUser[]; onChange: () => void }) {
  const { team } = props;
  const owner = can('owner');
  const [who, setWho] = useState('');
  const [role, setRole] = useState('member');
  const [error, setError] = useState<unknown>(undefined);
  const base = `/api/v1/teams/${encodeURIComponent(team.id)}`;
  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      props.onChange();
    } catch (e) {
      setError(e);
    }
  };
  const members = [...team.members].sort((a, b) => a.position - b.position);
  const free = props.users.filter((u) => !team.members.some((m) => m.user_id === u.id));
  return (
    <li data-id={team.id} class="oc-team">
      <div class="grow">
        <div class="oc-schedule-name">{team.name}</div>
        {team.description ? <div class="meta">{team.description}</div> : null}
        {members.length === 0 ? <p class="muted">{t('people.noMembers')}</p> : null}
        <ul class="oc-members">
          {members.map((m) => {
            const name = nameOf(props.users, m.user_id);
            return (
              <li key={m.user_id} data-user={m.user_id} class="row">
                <span class="grow">{name}</span>
                {owner ? (
                  <>
                    <select
                      aria-label={t('people.roleOf', { name, team: team.name })}
                      value={m.role}
                      onChange={(e) => {
                        const r = e.currentTarget.value;
                        void run(() => api('PUT', `${base}/members/${encodeURIComponent(m.user_id)}`, { role: r, position: m.position }));
                      }}
                    >
                      <option value="member">{t('people.role.member')}</option>
                      <option value="manager">{t('people.role.manager')}</option>
                    </select>
                    <Button class="btn-small" kind="link" aria-label={t('people.removeMember', { name })} onClick={() => void run(() => api('DELETE', `${base}/members/${encodeURIComponent(m.user_id)}`))}>
                      ×
                    </Button>
                  </>
                ) : (
                  <span class="muted">{t(`people.role.${m.role}`)}</span>
                )}
              </li>
            );
          })}
        </ul>
        {owner && free.length > 0 ? (
          <form
            class="row oc-member-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!who) return;
              const position = members.length > 0 ? members[members.length - 1].position + 1 : 0;
              void run(async () => {
                await api('PUT', `${base}/members/${encodeURIComponent(who)}`, { role, position });
                setWho('');
              });
            }}
          >
            <select aria-label={t('people.member')} value={who} onChange={(e) => setWho(e.currentTarget.value)}>
              <option value="">{t('people.pick')}</option>
              {free.map((u) => (
                <option value={u.id}>{u.name}</option>
              ))}
            </select>
            <select aria-label={t('people.role')} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
              <option value="member">{t('people.role.member')}</option>
              <option value="manager">{t('people.role.manager')}</option>
            </select>
            <Button type="submit" class="btn-small">
              {t('people.addMember')}
            </Button>
          </form>
        ) : null}
        <ErrorBox error={error} />
      </div>
      {owner ? (
        <Button
          class="btn-small"
          kind="danger"
          onClick={() => {
            if (window.confirm(t('people.deleteTeamConfirm', { name: team.name }))) void run(() => api('DELETE', base));
          }}
        >
          {t('people.deleteTeam')}
        </Button>
      ) : null}
    </li>
  );
}

function Teams(props: { users: DirectoryUser[] }) {
  const res = useResource<{ data: Team[] }>('/api/v1/teams', ['people']);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const list = res.data?.data ?? [];
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', '/api/v1/teams', { name, description });
      setName('');
      setDescription('');
      res.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="oc-section">
      <h2>{t('people.teams')}</h2>
      <ErrorBox error={res.error} />
      {res.loading && !res.data ? <Loading /> : null}
      {res.data && list.length === 0 ? <Empty text={t('people.teamsEmpty')} /> : null}
      {list.length > 0 ? (
        <ul class="list oc-teams">
          {list.map((tm) => (
            <TeamCard key={tm.id} team={tm} users={props.users} onChange={res.reload} />
          ))}
        </ul>
      ) : null}
      {can('owner') ? (
        <form class="panel" onSubmit={create}>
          <div class="form-grid">
            <Field id="team-name" label={t('people.teamName')}>
              <input id="team-name" type="text" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </Field>
            <Field id="team-description" label={t('people.teamDescription')}>
              <input id="team-description" type="text" maxLength={2000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
            </Field>
          </div>
          <ErrorBox error={error} />
          <div class="form-actions">
            <Button kind="primary" type="submit">
              {t('people.newTeam')}
            </Button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

export default function People(_props: Record<string, string>) {
  const me = session.value!.user;
  const users = useDirectory();
  const [userId, setUserId] = useState(me.id);
  return (
    <div class="people">
      <PageTitle title={t('people.title')} />
      {can('owner') ? (
        <Field id="people-user" label={t('people.user')}>
          <select id="people-user" value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
            {users.map((u) => (
              <option value={u.id}>{u.email ? `${u.name} (${u.email})` : u.name}</option>
            ))}
          </select>
        </Field>
      ) : null}
      <ProfileForm key={`p-${userId}`} userId={userId} />
      <ContactSettings key={`c-${userId}`} userId={userId} self={userId === me.id} />
      <Teams users={users} />
    </div>
  );
}
