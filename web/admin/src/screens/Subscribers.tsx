// Subscribers: filtered list with keyset paging, add, delete, CSV import and export; failed
// (dead) deliveries with retry; the progress of recent notifications.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, formatTime, t } from '../i18n';
import { useLive } from '../live';
import { useResource } from '../resource';
import { can } from '../session';
import { Button, Dialog, Empty, ErrorBox, Field, Loading, PageTitle } from '../ui';
import { getWithHeaders, sendRaw } from './Subscribers/raw';
import './subscribers.css';

addMessages('en', {
  'subscribers.title': 'Subscribers',
  'subscribers.tab.list': 'Subscribers',
  'subscribers.tab.dead': 'Failed deliveries',
  'subscribers.tab.notifications': 'Notifications',
  'subscribers.add': 'Add subscriber',
  'subscribers.channel': 'Channel',
  'subscribers.anyChannel': 'All channels',
  'subscribers.confirmed': 'Confirmation',
  'subscribers.anyState': 'All',
  'subscribers.onlyConfirmed': 'Confirmed',
  'subscribers.onlyPending': 'Not confirmed yet',
  'subscribers.search': 'Search',
  'subscribers.searchHint': 'Address or URL contains…',
  'subscribers.filter': 'Filter',
  'subscribers.total': '{n} subscribers',
  'subscribers.next': 'Next page',
  'subscribers.prev': 'Previous page',
  'subscribers.empty': 'No subscribers match.',
  'subscribers.target': 'E-mail address or URL',
  'subscribers.language': 'Language',
  'subscribers.secret': 'Signing secret (webhooks, optional)',
  'subscribers.skipConfirmation': 'Confirmed already (send no confirmation e-mail)',
  'subscribers.create': 'Add',
  'subscribers.delete': 'Delete',
  'subscribers.deleteConfirm': 'Delete the subscription of {target}?',
  'subscribers.isConfirmed': 'confirmed',
  'subscribers.isPending': 'not confirmed',
  'subscribers.created': 'since {time}',
  'subscribers.components': '{n} components',
  'subscribers.allComponents': 'all components',
  'subscribers.importExport': 'Import and export',
  'subscribers.importFile': 'CSV file to import',
  'subscribers.importHint': 'The format of the export: a header line, then one subscriber per line.',
  'subscribers.import': 'Import',
  'subscribers.importDone': 'Imported {imported}, already there {skipped}, failed {failed}.',
  'subscribers.importLine': 'Line {line}: {message}',
  'subscribers.export': 'Download CSV export',
  'subscribers.chooseFile': 'Choose a file first.',
  'subscribers.dead.empty': 'No failed deliveries.',
  'subscribers.dead.hint': 'Deliveries that failed after all attempts. Retry sends them again.',
  'subscribers.dead.retry': 'Retry',
  'subscribers.dead.attempts': '{n} attempts',
  'subscribers.dead.subscriber': 'Subscriber {id}',
  'subscribers.dead.more': 'More',
  'subscribers.n.empty': 'No notifications yet.',
  'subscribers.n.progress': 'Delivery progress',
  'subscribers.n.counts': 'sent {sent} · pending {pending} · failing {failing} · failed {dead}',
  'subscribers.n.notDispatched': 'waiting to be dispatched',
  'subscribers.n.more': 'Older',
});
addMessages('de', {
  'subscribers.title': 'Abonnenten',
  'subscribers.tab.list': 'Abonnenten',
  'subscribers.tab.dead': 'Fehlgeschlagene Zustellungen',
  'subscribers.tab.notifications': 'Benachrichtigungen',
  'subscribers.add': 'Abonnent hinzufügen',
  'subscribers.channel': 'Kanal',
  'subscribers.anyChannel': 'Alle Kanäle',
  'subscribers.confirmed': 'Bestätigung',
  'subscribers.anyState': 'Alle',
  'subscribers.onlyConfirmed': 'Bestätigt',
  'subscribers.onlyPending': 'Noch nicht bestätigt',
  'subscribers.search': 'Suche',
  'subscribers.searchHint': 'Adresse oder URL enthält…',
  'subscribers.filter': 'Filtern',
  'subscribers.total': '{n} Abonnenten',
  'subscribers.next': 'Nächste Seite',
  'subscribers.prev': 'Vorige Seite',
  'subscribers.empty': 'Keine passenden Abonnenten.',
  'subscribers.target': 'E-Mail-Adresse oder URL',
  'subscribers.language': 'Sprache',
  'subscribers.secret': 'Signaturgeheimnis (Webhooks, optional)',
  'subscribers.skipConfirmation': 'Bereits bestätigt (keine Bestätigungs-E-Mail senden)',
  'subscribers.create': 'Hinzufügen',
  'subscribers.delete': 'Löschen',
  'subscribers.deleteConfirm': 'Das Abonnement von {target} löschen?',
  'subscribers.isConfirmed': 'bestätigt',
  'subscribers.isPending': 'nicht bestätigt',
  'subscribers.created': 'seit {time}',
  'subscribers.components': '{n} Komponenten',
  'subscribers.allComponents': 'alle Komponenten',
  'subscribers.importExport': 'Import und Export',
  'subscribers.importFile': 'Zu importierende CSV-Datei',
  'subscribers.importHint': 'Das Format des Exports: eine Kopfzeile, dann ein Abonnent pro Zeile.',
  'subscribers.import': 'Importieren',
  'subscribers.importDone': 'Importiert {imported}, schon vorhanden {skipped}, fehlgeschlagen {failed}.',
  'subscribers.importLine': 'Zeile {line}: {message}',
  'subscribers.export': 'CSV-Export herunterladen',
  'subscribers.chooseFile': 'Bitte zuerst eine Datei wählen.',
  'subscribers.dead.empty': 'Keine fehlgeschlagenen Zustellungen.',
  'subscribers.dead.hint': 'Zustellungen, die nach allen Versuchen scheiterten. „Erneut senden“ versucht es noch einmal.',
  'subscribers.dead.retry': 'Erneut senden',
  'subscribers.dead.attempts': '{n} Versuche',
  'subscribers.dead.subscriber': 'Abonnent {id}',
  'subscribers.dead.more': 'Mehr',
  'subscribers.n.empty': 'Noch keine Benachrichtigungen.',
  'subscribers.n.progress': 'Zustellfortschritt',
  'subscribers.n.counts': 'gesendet {sent} · ausstehend {pending} · mit Fehlern {failing} · gescheitert {dead}',
  'subscribers.n.notDispatched': 'wartet auf Versand',
  'subscribers.n.more': 'Ältere',
});

const kChannels = ['email', 'webhook', 'slack', 'teams', 'discord', 'telegram', 'mastodon'];
const kPage = 25;
const kPollMs = 10_000;

interface Subscriber {
  id: string;
  channel: string;
  target: string;
  language: string;
  components: string[];
  confirmed: boolean;
  confirmed_at: string | null;
  created_at: string;
  source: string;
  has_secret: boolean;
}

interface Delivery {
  id: number;
  outbox_seq: number;
  subscriber_id: string | null;
  channel: string;
  state: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string;
  created_at: string;
  sent_at: string | null;
}

interface Notification {
  seq: number;
  topic: string;
  created_at: string;
  dispatched_at: string | null;
  progress: { pending: number; sent: number; dead: number; failing: number };
}

interface ImportReport {
  imported: number;
  skipped_existing: number;
  failed: number;
  errors: { line: number; field: string; message: string }[];
}

function AddForm(props: { onDone: () => void }) {
  const [channel, setChannel] = useState('email');
  const [target, setTarget] = useState('');
  const [language, setLanguage] = useState('en');
  const [secret, setSecret] = useState('');
  const [skip, setSkip] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, unknown> = { channel, target, language, skip_confirmation: skip };
      if (secret) body.secret = secret;
      await api('POST', '/api/v1/subscribers', body);
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit}>
      <div class="form-grid">
        <Field id="subscriber-channel" label={t('subscribers.channel')}>
          <select id="subscriber-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
            {kChannels.map((c) => (
              <option value={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field id="subscriber-language" label={t('subscribers.language')}>
          <select id="subscriber-language" value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
            <option value="en">English</option>
            <option value="de">Deutsch</option>
          </select>
        </Field>
      </div>
      <Field id="subscriber-target" label={t('subscribers.target')}>
        <input id="subscriber-target" type="text" required value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
      </Field>
      {channel === 'webhook' ? (
        <Field id="subscriber-secret" label={t('subscribers.secret')}>
          <input id="subscriber-secret" type="text" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </Field>
      ) : null}
      <Field id="subscriber-skip" label={t('subscribers.skipConfirmation')} inline>
        <input id="subscriber-skip" type="checkbox" checked={skip} onChange={(e) => setSkip(e.currentTarget.checked)} />
      </Field>
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {t('subscribers.create')}
        </Button>
        <Button onClick={props.onDone}>{t('ui.cancel')}</Button>
      </div>
    </form>
  );
}

function ImportExport(props: { onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setReport(null);
    if (!file) {
      setError(new Error(t('subscribers.chooseFile')));
      return;
    }
    setBusy(true);
    try {
      setReport(await sendRaw<ImportReport>('POST', '/api/v1/subscribers/import', 'text/csv', file));
      props.onImported();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel">
      <h2>{t('subscribers.importExport')}</h2>
      <form onSubmit={submit} class="import-form">
        <Field id="subscriber-import-file" label={t('subscribers.importFile')} hint={t('subscribers.importHint')}>
          <input
            id="subscriber-import-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </Field>
        <ErrorBox error={error} />
        {report ? (
          <div class="notice" role="status">
            {t('subscribers.importDone', { imported: report.imported, skipped: report.skipped_existing, failed: report.failed })}
            {report.errors.length > 0 ? (
              <ul class="import-errors">
                {report.errors.slice(0, 50).map((er) => (
                  <li>{t('subscribers.importLine', { line: er.line, message: er.field ? `${er.field}: ${er.message}` : er.message })}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <div class="form-actions">
          <Button kind="primary" type="submit" busy={busy}>
            {t('subscribers.import')}
          </Button>
          <a class="btn" href="/api/v1/subscribers/export" download="subscribers.csv">
            {t('subscribers.export')}
          </a>
        </div>
      </form>
    </section>
  );
}

function SubscriberList() {
  const [channel, setChannel] = useState('');
  const [confirmed, setConfirmed] = useState('');
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState({ channel: '', confirmed: '', q: '' });
  // Keyset paging: the cursors ("after" ids) of the pages before this one.
  const [cursors, setCursors] = useState<string[]>([]);
  const [items, setItems] = useState<Subscriber[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [adding, setAdding] = useState(false);
  const after = cursors.length > 0 ? cursors[cursors.length - 1] : '';

  const load = () => {
    const p = new URLSearchParams();
    if (applied.channel) p.set('channel', applied.channel);
    if (applied.confirmed) p.set('confirmed', applied.confirmed);
    if (applied.q) p.set('q', applied.q);
    if (after) p.set('after', after);
    p.set('limit', String(kPage));
    getWithHeaders<Subscriber[]>(`/api/v1/subscribers?${p.toString()}`).then(
      (r) => {
        setItems(r.data);
        const n = r.headers.get('X-Total-Count');
        setTotal(n === null ? null : Number(n));
        setError(undefined);
      },
      (e) => setError(e),
    );
  };
  useEffect(load, [applied, after]);
  useLive(['subscribers'], load);

  const remove = async (s: Subscriber) => {
    if (!window.confirm(t('subscribers.deleteConfirm', { target: s.target }))) return;
    try {
      await api('DELETE', `/api/v1/subscribers/${encodeURIComponent(s.id)}`);
      load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([]);
          setApplied({ channel, confirmed, q });
        }}
      >
        <Field id="subscribers-filter-channel" label={t('subscribers.channel')}>
          <select id="subscribers-filter-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
            <option value="">{t('subscribers.anyChannel')}</option>
            {kChannels.map((c) => (
              <option value={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field id="subscribers-filter-confirmed" label={t('subscribers.confirmed')}>
          <select id="subscribers-filter-confirmed" value={confirmed} onChange={(e) => setConfirmed(e.currentTarget.value)}>
            <option value="">{t('subscribers.anyState')}</option>
            <option value="true">{t('subscribers.onlyConfirmed')}</option>
            <option value="false">{t('subscribers.onlyPending')}</option>
          </select>
        </Field>
        <Field id="subscribers-filter-q" label={t('subscribers.search')}>
          <input
            id="subscribers-filter-q"
            type="search"
            maxLength={200}
            placeholder={t('subscribers.searchHint')}
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
          />
        </Field>
        <div class="filters-submit">
          <Button type="submit">{t('subscribers.filter')}</Button>
          <Button kind="primary" onClick={() => setAdding(true)}>
            {t('subscribers.add')}
          </Button>
        </div>
      </form>
      <ErrorBox error={error} />
      {total !== null ? <p class="muted">{t('subscribers.total', { n: total })}</p> : null}
      {items === null && !error ? <Loading /> : null}
      {items && items.length === 0 ? <Empty text={t('subscribers.empty')} /> : null}
      {items && items.length > 0 ? (
        <ul class="list subscriber-list">
          {items.map((s) => (
            <li data-id={s.id} key={s.id}>
              <div class="grow">
                <div class="break subscriber-target">{s.target}</div>
                <div class="meta">
                  {s.channel} · {s.language} ·{' '}
                  {s.components.length > 0 ? t('subscribers.components', { n: s.components.length }) : t('subscribers.allComponents')} ·{' '}
                  {t('subscribers.created', { time: formatTime(s.created_at) })}
                </div>
              </div>
              <span class={`badge ${s.confirmed ? 'badge-ok' : 'badge-muted'}`}>
                {s.confirmed ? t('subscribers.isConfirmed') : t('subscribers.isPending')}
              </span>
              <Button class="btn-small" kind="danger" onClick={() => void remove(s)}>
                {t('subscribers.delete')}
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      <div class="form-actions pager">
        <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← {t('subscribers.prev')}
        </Button>
        <Button
          disabled={!items || items.length < kPage}
          onClick={() => items && setCursors([...cursors, items[items.length - 1].id])}
        >
          {t('subscribers.next')} →
        </Button>
      </div>
      {can('owner') ? <ImportExport onImported={load} /> : null}
      <Dialog open={adding} title={t('subscribers.add')} onClose={() => setAdding(false)}>
        {adding ? (
          <AddForm
            onDone={() => {
              setAdding(false);
              load();
            }}
          />
        ) : null}
      </Dialog>
    </>
  );
}

function DeadLetters() {
  const [items, setItems] = useState<Delivery[]>([]);
  const [more, setMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const load = (afterId = 0) => {
    const p = `/api/v1/deliveries?state=dead&limit=${kPage}${afterId ? `&after=${afterId}` : ''}`;
    api<Delivery[]>('GET', p).then(
      (list) => {
        setItems((old) => (afterId ? [...old, ...list] : list));
        setMore(list.length === kPage);
        setLoaded(true);
        setError(undefined);
      },
      (e) => setError(e),
    );
  };
  useEffect(() => {
    load();
    const timer = setInterval(() => load(), kPollMs);
    return () => clearInterval(timer);
  }, []);
  useLive(['subscribers'], () => load());
  const retry = async (d: Delivery) => {
    setError(undefined);
    try {
      await api('POST', `/api/v1/deliveries/${d.id}/retry`);
      load();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <p class="hint">{t('subscribers.dead.hint')}</p>
      <ErrorBox error={error} />
      {!loaded && !error ? <Loading /> : null}
      {loaded && items.length === 0 ? <Empty text={t('subscribers.dead.empty')} /> : null}
      {items.length > 0 ? (
        <ul class="list">
          {items.map((d) => (
            <li data-id={String(d.id)} key={d.id}>
              <div class="grow">
                <div>
                  #{d.id} · {d.channel}
                  {d.subscriber_id ? ` · ${t('subscribers.dead.subscriber', { id: d.subscriber_id })}` : ''}
                </div>
                <div class="meta break">
                  {formatTime(d.created_at)} · {t('subscribers.dead.attempts', { n: d.attempts })} · {d.last_error}
                </div>
              </div>
              <Button class="btn-small" onClick={() => void retry(d)}>
                {t('subscribers.dead.retry')}
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      {more ? (
        <div class="form-actions">
          <Button onClick={() => load(items[items.length - 1].id)}>{t('subscribers.dead.more')}</Button>
        </div>
      ) : null}
    </>
  );
}

/** Sent, failing, pending and failed deliveries of one notification as one stacked bar. */
function ProgressBar(props: { progress: Notification['progress']; total: number }) {
  const p = props.progress;
  const part = (n: number) => ({ width: `${props.total > 0 ? (100 * n) / props.total : 0}%` });
  return (
    <div class="stacked" role="img" aria-label={`${t('subscribers.n.progress')}: ${p.sent}/${props.total}`}>
      <span class="part sent" style={part(p.sent)} />
      <span class="part failing" style={part(p.failing)} />
      <span class="part pending" style={part(p.pending)} />
      <span class="part dead" style={part(p.dead)} />
    </div>
  );
}

function Notifications() {
  const [before, setBefore] = useState(0);
  const res = useResource<Notification[]>(`/api/v1/notifications?limit=${kPage}${before ? `&before=${before}` : ''}`, ['subscribers', 'page']);
  // Deliveries progress without a live event of their own: poll while this tab is shown.
  useEffect(() => {
    const timer = setInterval(res.reload, kPollMs);
    return () => clearInterval(timer);
  }, [res.reload]);
  const list = res.data ?? [];
  return (
    <>
      <ErrorBox error={res.error} />
      {res.loading && !res.data ? <Loading /> : null}
      {res.data && list.length === 0 ? <Empty text={t('subscribers.n.empty')} /> : null}
      {list.length > 0 ? (
        <ul class="list">
          {list.map((n) => {
            const p = n.progress;
            const all = p.sent + p.pending + p.dead + p.failing;
            return (
              <li data-id={String(n.seq)} key={n.seq}>
                <div class="grow">
                  <div>
                    #{n.seq} · <code>{n.topic}</code>
                  </div>
                  <div class="meta">
                    {formatTime(n.created_at)}
                    {n.dispatched_at ? '' : ` · ${t('subscribers.n.notDispatched')}`}
                  </div>
                </div>
                <div class="progress-cell">
                  <ProgressBar progress={p} total={all} />
                  <div class="meta">{t('subscribers.n.counts', { sent: p.sent, pending: p.pending, failing: p.failing, dead: p.dead })}</div>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      <div class="form-actions pager">
        {before ? <Button onClick={() => setBefore(0)}>{t('subscribers.prev')}</Button> : null}
        {list.length === kPage ? <Button onClick={() => setBefore(list[list.length - 1].seq)}>{t('subscribers.n.more')}</Button> : null}
      </div>
    </>
  );
}

export default function Subscribers(_props: Record<string, string>) {
  const [tab, setTab] = useState<'list' | 'dead' | 'notifications'>('list');
  if (!can('responder')) {
    return (
      <div class="screen-subscribers">
        <PageTitle title={t('subscribers.title')} />
        <p class="error-box">{t('ui.error.forbidden')}</p>
      </div>
    );
  }
  return (
    <div class="screen-subscribers">
      <PageTitle title={t('subscribers.title')} />
      <div class="tabs" role="tablist">
        {(['list', 'dead', 'notifications'] as const).map((k) => (
          <button type="button" role="tab" aria-selected={tab === k} class={tab === k ? 'active' : ''} onClick={() => setTab(k)}>
            {t(`subscribers.tab.${k}`)}
          </button>
        ))}
      </div>
      {tab === 'list' ? <SubscriberList /> : tab === 'dead' ? <DeadLetters /> : <Notifications />}
    </div>
  );
}
