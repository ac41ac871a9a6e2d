// On call now: every schedule's current person and the next handoff; the signed-in user's own
// shifts for the next four weeks and their personal iCal feed (the secret URL is shown once,
// after creating or rotating it: the server keeps only its hash).
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, t } from '../i18n';
import { useResource } from '../resource';
import { can, session } from '../session';
import { Button, Empty, ErrorBox, Link, Loading, PageTitle } from '../ui';
import { CopyField, absolute, formatIn, type OnCallEntry, type Shift } from './oncall-common';
import './oncall.css';

addMessages('en', {
  'oncall.title': 'On call',
  'oncall.now': 'On call now',
  'oncall.until': 'until {time}',
  'oncall.noSchedules': 'No schedules yet.',
  'oncall.schedules': 'Schedules',
  'oncall.mine': 'My shifts (next 4 weeks)',
  'oncall.mineEmpty': 'You have no shifts in the next 4 weeks.',
  'oncall.override': 'override',
  'oncall.feed': 'My calendar feed',
  'oncall.feedHint': 'Calendar apps subscribe to this secret URL. It is shown only once; a new URL stops the old one.',
  'oncall.feedNew': 'Create feed URL',
  'oncall.feedRotate': 'New feed URL',
  'oncall.feedRotateConfirm': 'Make a new feed URL? Calendars subscribed to the old one stop updating.',
  'oncall.feedUrl': 'Feed URL',
});
addMessages('de', {
  'oncall.title': 'Bereitschaft',
  'oncall.now': 'Jetzt in Bereitschaft',
  'oncall.until': 'bis {time}',
  'oncall.noSchedules': 'Noch keine Dienstpläne.',
  'oncall.schedules': 'Dienstpläne',
  'oncall.mine': 'Meine Schichten (nächste 4 Wochen)',
  'oncall.mineEmpty': 'Sie haben in den nächsten 4 Wochen keine Schichten.',
  'oncall.override': 'Vertretung',
  'oncall.feed': 'Mein Kalender-Abo',
  'oncall.feedHint': 'Kalender-Apps abonnieren diese geheime URL. Sie wird nur einmal angezeigt; eine neue URL legt die alte still.',
  'oncall.feedNew': 'Abo-URL erzeugen',
  'oncall.feedRotate': 'Neue Abo-URL',
  'oncall.feedRotateConfirm': 'Eine neue Abo-URL erzeugen? Kalender mit der alten URL werden nicht mehr aktualisiert.',
  'oncall.feedUrl': 'Abo-URL',
});

const kDay = 24 * 3600 * 1000;

function Now() {
  const res = useResource<{ at: string; data: OnCallEntry[] }>('/api/v1/oncall', ['schedules']);
  const list = res.data?.data ?? [];
  return (
    <section class="oc-section">
      <h2>{t('oncall.now')}</h2>
      <ErrorBox error={res.error} />
      {res.loading && !res.data ? <Loading /> : null}
      {res.data && list.length === 0 ? <Empty text={t('oncall.noSchedules')} /> : null}
      {list.length > 0 ? (
        <ul class="list oc-now">
          {list.map((e) => (
            <li key={e.schedule_id} data-id={e.schedule_id}>
              <div class="grow">
                <Link href={`/schedules/${e.schedule_id}`} class="oc-schedule-name">
                  {e.schedule_name}
                </Link>
                <div class="meta">{e.until ? t('oncall.until', { time: formatIn(e.until, undefined, true) }) : null}</div>
              </div>
              <div class="oc-person">
                {e.users.length > 0 ? e.users.map((u) => u.name || u.id).join(', ') : <span class="muted">{t('oc.nobody')}</span>}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function MyShifts() {
  const me = session.value!.user;
  // Whole minutes keep the path (and so the resource) stable between renders.
  const [from] = useState(() => new Date(Math.floor(Date.now() / 60000) * 60000));
  const to = new Date(from.getTime() + 28 * kDay);
  const path = `/api/v1/users/${encodeURIComponent(me.id)}/shifts?from=${from.toISOString()}&to=${to.toISOString()}`;
  const res = useResource<{ data: Shift[] }>(path, ['schedules']);
  const list = res.data?.data ?? [];
  return (
    <section class="oc-section">
      <h2>{t('oncall.mine')}</h2>
      <ErrorBox error={res.error} />
      {res.loading && !res.data ? <Loading /> : null}
      {res.data && list.length === 0 ? <Empty text={t('oncall.mineEmpty')} /> : null}
      {list.length > 0 ? (
        <ul class="list oc-shifts">
          {list.map((s) => (
            <li key={`${s.schedule_id}-${s.start}`}>
              <div class="grow">
                <div class="oc-schedule-name">{s.schedule_name}</div>
                <div class="meta">
                  {formatIn(s.start, undefined, true)} – {formatIn(s.end, undefined, true)}
                  {s.override ? ` · ${t('oncall.override')}` : ''}
                </div>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** A feed whose secret URL appears after creating/rotating it (used here and on Schedules). */
export function FeedPanel(props: { title: string; rotatePath: string; id: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const rotate = async () => {
    if (url && !window.confirm(t('oncall.feedRotateConfirm'))) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<{ url: string }>('POST', props.rotatePath);
      setUrl(absolute(r.url));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="panel oc-feed">
      <h3>{props.title}</h3>
      <p class="hint">{t('oncall.feedHint')}</p>
      {url ? <CopyField id={props.id} label={t('oncall.feedUrl')} text={url} /> : null}
      <ErrorBox error={error} />
      {can('responder') ? (
        <div class="form-actions">
          <Button busy={busy} onClick={() => void rotate()}>
            {url ? t('oncall.feedRotate') : t('oncall.feedNew')}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

export default function OnCall(_props: Record<string, string>) {
  const me = session.value!.user;
  return (
    <div class="oncall">
      <PageTitle title={t('oncall.title')}>
        <Link href="/schedules" class="btn btn-secondary">
          {t('oncall.schedules')}
        </Link>
      </PageTitle>
      <Now />
      <MyShifts />
      <FeedPanel title={t('oncall.feed')} rotatePath={`/api/v1/users/${encodeURIComponent(me.id)}/ical-token`} id="oc-user-feed" />
    </div>
  );
}
