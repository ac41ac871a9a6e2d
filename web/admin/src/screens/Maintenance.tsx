// Maintenance: a month calendar of the windows plus a list; schedule a window; one window's
// detail with updates, complete and cancel.
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, formatTime, lang, t } from '../i18n';
import { leafComponents, NotifyCheckbox, PreviewPanel, TemplatePicker, Timeline } from '../parts';
import { useResource } from '../resource';
import { navigate, query } from '../router';
import { can } from '../session';
import type { Component, Incident } from '../types';
import { kMaintenanceStatuses } from '../types';
import { Button, Dialog, Empty, ErrorBox, Field, Link, Loading, PageTitle, StatusBadge } from '../ui';

addMessages('en', {
  'maint.title': 'Maintenance',
  'maint.schedule': 'Schedule maintenance',
  'maint.prev': 'Previous month',
  'maint.next': 'Next month',
  'maint.today': 'Today',
  'maint.upcoming': 'In progress and upcoming',
  'maint.past': 'Past',
  'maint.none_upcoming': 'No maintenance scheduled.',
  'maint.none_past': 'No past maintenance.',
  'maint.name': 'Title',
  'maint.starts': 'Starts',
  'maint.ends': 'Ends',
  'maint.components': 'Components under maintenance',
  'maint.message': 'Message',
  'maint.auto_start': 'Start automatically (components go to “under maintenance”)',
  'maint.auto_complete': 'Complete automatically at the end (components go back to operational)',
  'maint.remind': 'Remind subscribers 60 minutes before',
  'maint.create': 'Schedule',
  'maint.window': '{from} – {until}',
  'maint.bad_window': 'The end must be after the start.',
  'maint.update': 'Post an update',
  'maint.update.submit': 'Post update',
  'maint.status': 'Status',
  'maint.complete': 'Complete',
  'maint.complete.body': 'The scheduled maintenance has been completed.',
  'maint.cancel': 'Cancel maintenance',
  'maint.cancel.confirm': 'Cancel this maintenance? It is marked completed with a cancellation note, and subscribers are told.',
  'maint.cancel.body': 'This maintenance has been cancelled.',
  'maint.edit': 'Change window',
  'maint.save': 'Save',
  'maint.back': 'Back to maintenance',
  'maint.default_body': 'We will perform scheduled maintenance.',
});
addMessages('de', {
  'maint.title': 'Wartungen',
  'maint.schedule': 'Wartung planen',
  'maint.prev': 'Voriger Monat',
  'maint.next': 'Nächster Monat',
  'maint.today': 'Heute',
  'maint.upcoming': 'Laufend und geplant',
  'maint.past': 'Vergangen',
  'maint.none_upcoming': 'Keine Wartung geplant.',
  'maint.none_past': 'Keine vergangenen Wartungen.',
  'maint.name': 'Titel',
  'maint.starts': 'Beginn',
  'maint.ends': 'Ende',
  'maint.components': 'Komponenten in Wartung',
  'maint.message': 'Nachricht',
  'maint.auto_start': 'Automatisch beginnen (Komponenten gehen auf „In Wartung“)',
  'maint.auto_complete': 'Am Ende automatisch abschließen (Komponenten wieder „Betriebsbereit“)',
  'maint.remind': 'Abonnenten 60 Minuten vorher erinnern',
  'maint.create': 'Planen',
  'maint.window': '{from} – {until}',
  'maint.bad_window': 'Das Ende muss nach dem Beginn liegen.',
  'maint.update': 'Neue Meldung',
  'maint.update.submit': 'Meldung veröffentlichen',
  'maint.status': 'Status',
  'maint.complete': 'Abschließen',
  'maint.complete.body': 'Die geplante Wartung ist abgeschlossen.',
  'maint.cancel': 'Wartung absagen',
  'maint.cancel.confirm': 'Diese Wartung absagen? Sie wird mit einem Hinweis auf die Absage abgeschlossen, Abonnenten werden informiert.',
  'maint.cancel.body': 'Diese Wartung wurde abgesagt.',
  'maint.edit': 'Zeitraum ändern',
  'maint.save': 'Speichern',
  'maint.back': 'Zurück zu den Wartungen',
  'maint.default_body': 'Wir führen eine geplante Wartung durch.',
});

const kDay = 24 * 3600 * 1000;

/** "YYYY-MM-DDTHH:MM" in local time, for <input type=datetime-local>. */
function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fromLocalInput(s: string): string | null {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function isOpen(m: Incident): boolean {
  return m.status !== 'completed';
}

function Calendar(props: { list: Incident[] }) {
  const [month, setMonth] = useState(() => {
    const n = new Date();
    return new Date(n.getFullYear(), n.getMonth(), 1);
  });
  const days = useMemo(() => {
    // Weeks start on Monday.
    const first = new Date(month);
    const offset = (first.getDay() + 6) % 7;
    const start = new Date(first.getFullYear(), first.getMonth(), 1 - offset);
    const out: Date[] = [];
    for (let i = 0; i < 42; i++) out.push(new Date(start.getFullYear(), start.getMonth(), start.getDate() + i));
    return out[35].getMonth() !== month.getMonth() ? out.slice(0, 35) : out;
  }, [month]);
  const locale = lang.value === 'de' ? 'de-DE' : 'en-GB';
  const title = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric' }).format(month);
  const dow = [0, 1, 2, 3, 4, 5, 6].map((i) => new Intl.DateTimeFormat(locale, { weekday: 'short' }).format(new Date(2024, 0, 1 + i)));
  const today = new Date().toDateString();
  const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  return (
    <section class="calendar-section" aria-label={title}>
      <div class="calendar-head">
        <Button kind="link" onClick={() => setMonth(new Date(month.getFullYear(), month.getMonth() - 1, 1))} aria-label={t('maint.prev')}>
          ‹
        </Button>
        <h2 data-testid="calendar-month">{title}</h2>
        <Button kind="link" onClick={() => setMonth(new Date(month.getFullYear(), month.getMonth() + 1, 1))} aria-label={t('maint.next')}>
          ›
        </Button>
        <Button
          kind="link"
          onClick={() => {
            const n = new Date();
            setMonth(new Date(n.getFullYear(), n.getMonth(), 1));
          }}
        >
          {t('maint.today')}
        </Button>
      </div>
      <div class="calendar" role="grid">
        {dow.map((d) => (
          <div class="dow" key={d} role="columnheader">
            {d}
          </div>
        ))}
        {days.map((d) => {
          const from = d.getTime();
          const to = from + kDay;
          const items = props.list.filter((m) => {
            const s = Date.parse(m.scheduled_for ?? '');
            const e = Date.parse(m.scheduled_until ?? '') || s;
            return s < to && e > from;
          });
          const cls = ['day', d.getMonth() !== month.getMonth() ? 'other' : '', d.toDateString() === today ? 'today' : ''].filter(Boolean).join(' ');
          return (
            <div class={cls} key={from} role="gridcell" data-date={toLocalInput(d).slice(0, 10)}>
              <span class="num">{d.getDate()}</span>
              {items.map((m) => (
                <Link key={m.id} href={`/maintenance/${m.id}`} class={`win${isOpen(m) ? '' : ' done'}`} data-id={m.id} title={m.name}>
                  {Date.parse(m.scheduled_for ?? '') >= from ? <span class="win-time">{timeFmt.format(new Date(m.scheduled_for!))} </span> : null}
                  {m.name}
                </Link>
              ))}
            </div>
          );
        })}
      </div>
    </section>
  );
}

function ScheduleForm(props: { components: Component[]; onDone: (m: Incident) => void; onCancel: () => void }) {
  const start = new Date(Date.now() + 3600 * 1000);
  start.setMinutes(0, 0, 0);
  const [name, setName] = useState('');
  const [from, setFrom] = useState(toLocalInput(start));
  const [until, setUntil] = useState(toLocalInput(new Date(start.getTime() + 3600 * 1000)));
  const [ids, setIds] = useState<string[]>([]);
  const [body, setBody] = useState(t('maint.default_body'));
  const [autoStart, setAutoStart] = useState(true);
  const [autoComplete, setAutoComplete] = useState(true);
  const [remind, setRemind] = useState(false);
  const [notify, setNotify] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [local, setLocal] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    setLocal(null);
    const f = fromLocalInput(from);
    const u = fromLocalInput(until);
    if (!f || !u || Date.parse(u) <= Date.parse(f)) return setLocal(t('maint.bad_window'));
    setBusy(true);
    try {
      const m = await api<Incident>('POST', '/api/v1/maintenances', {
        name,
        status: 'scheduled',
        scheduled_for: f,
        scheduled_until: u,
        component_ids: ids,
        body,
        scheduled_auto_in_progress: autoStart,
        scheduled_auto_completed: autoComplete,
        scheduled_remind_prior: remind,
        deliver_notifications: notify,
      });
      props.onDone(m);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const check = (id: string, label: string, value: boolean, set: (v: boolean) => void) => (
    <div class="field field-inline">
      <input id={id} type="checkbox" checked={value} onChange={(e) => set(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
    </div>
  );

  return (
    <form class="maintenance-form" onSubmit={submit} noValidate>
      <TemplatePicker
        id="maint-template"
        kind="maintenance"
        onPick={(tpl) => {
          if (tpl.title) setName(tpl.title);
          setBody(tpl.body);
        }}
      />
      <Field id="maint-name" label={t('maint.name')}>
        <input id="maint-name" type="text" maxLength={255} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <div class="form-grid">
        <Field id="maint-from" label={t('maint.starts')}>
          <input id="maint-from" type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </Field>
        <Field id="maint-until" label={t('maint.ends')}>
          <input id="maint-until" type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </Field>
      </div>
      <fieldset>
        <legend>{t('maint.components')}</legend>
        {leafComponents(props.components).map(({ c }) => (
          <div class="field field-inline" key={c.id}>
            <input
              id={`maint-comp-${c.id}`}
              type="checkbox"
              checked={ids.includes(c.id)}
              onChange={(e) => setIds(e.currentTarget.checked ? [...ids, c.id] : ids.filter((x) => x !== c.id))}
            />
            <label for={`maint-comp-${c.id}`}>{c.name}</label>
          </div>
        ))}
      </fieldset>
      <Field id="maint-body" label={t('maint.message')}>
        <textarea id="maint-body" value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </Field>
      {check('maint-auto-start', t('maint.auto_start'), autoStart, setAutoStart)}
      {check('maint-auto-complete', t('maint.auto_complete'), autoComplete, setAutoComplete)}
      {check('maint-remind', t('maint.remind'), remind, setRemind)}
      <NotifyCheckbox id="maint-notify" checked={notify} onChange={setNotify} />
      {local ? (
        <div class="error-box" role="alert">
          {local}
        </div>
      ) : null}
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {t('maint.create')}
        </Button>
        <Button onClick={props.onCancel}>{t('ui.cancel')}</Button>
      </div>
      <PreviewPanel
        input={() => ({ kind: 'maintenance', title: name, status: 'scheduled', body, components: ids.map((id) => ({ id, status: 'under_maintenance' })) })}
      />
    </form>
  );
}

function MaintenanceList(props: { list: Incident[] }) {
  return (
    <ul class="list maintenances">
      {props.list.map((m) => (
        <li key={m.id} data-id={m.id}>
          <span class="grow">
            <Link href={`/maintenance/${m.id}`}>{m.name}</Link>
            <div class="meta">
              {t('maint.window', { from: formatTime(m.scheduled_for ?? ''), until: formatTime(m.scheduled_until ?? '') })}
              {m.components.length > 0 ? ` · ${m.components.map((c) => c.name).join(', ')}` : ''}
            </div>
          </span>
          <StatusBadge status={m.status} />
        </li>
      ))}
    </ul>
  );
}

function Detail(props: { id: string }) {
  const res = useResource<Incident>(`/api/v1/maintenances/${encodeURIComponent(props.id)}`, ['page']);
  const [status, setStatus] = useState('');
  const [body, setBody] = useState('');
  const [notify, setNotify] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [editing, setEditing] = useState(false);
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const m = res.data;
  if (res.error && !m) return <ErrorBox error={res.error} />;
  if (!m) return <Loading />;
  const open = isOpen(m);

  async function post(s: string, text: string) {
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/api/v1/maintenances/${m!.id}/updates`, { status: s, body: text, deliver_notifications: notify });
      setBody('');
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function saveWindow(e: Event) {
    e.preventDefault();
    const f = fromLocalInput(from);
    const u = fromLocalInput(until);
    if (!f || !u || Date.parse(u) <= Date.parse(f)) return setError(new Error(t('maint.bad_window')));
    setBusy(true);
    setError(undefined);
    try {
      await api('PATCH', `/api/v1/maintenances/${m!.id}`, { scheduled_for: f, scheduled_until: u });
      setEditing(false);
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="maintenance-detail" data-id={m.id}>
      <PageTitle title={m.name}>
        {can('responder') && open ? (
          <>
            <Button kind="primary" busy={busy} onClick={() => void post('completed', t('maint.complete.body'))}>
              {t('maint.complete')}
            </Button>
            {m.status === 'scheduled' ? (
              <Button kind="danger" busy={busy} onClick={() => window.confirm(t('maint.cancel.confirm')) && void post('completed', t('maint.cancel.body'))}>
                {t('maint.cancel')}
              </Button>
            ) : null}
          </>
        ) : null}
      </PageTitle>
      <ErrorBox error={error} />
      <div class="panel">
        <div class="row">
          <StatusBadge status={m.status} />
          <span>{t('maint.window', { from: formatTime(m.scheduled_for ?? ''), until: formatTime(m.scheduled_until ?? '') })}</span>
          {can('responder') && open ? (
            <Button
              kind="link"
              onClick={() => {
                setFrom(toLocalInput(new Date(m.scheduled_for ?? Date.now())));
                setUntil(toLocalInput(new Date(m.scheduled_until ?? Date.now())));
                setEditing(true);
              }}
            >
              {t('maint.edit')}
            </Button>
          ) : null}
        </div>
        {m.components.length > 0 ? (
          <ul class="list affected">
            {m.components.map((c) => (
              <li key={c.id} data-id={c.id}>
                <span class="grow">{c.name}</span>
                <StatusBadge status={c.status} />
              </li>
            ))}
          </ul>
        ) : null}
        {editing ? (
          <form onSubmit={saveWindow} class="form-grid">
            <Field id="edit-from" label={t('maint.starts')}>
              <input id="edit-from" type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
            </Field>
            <Field id="edit-until" label={t('maint.ends')}>
              <input id="edit-until" type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
            </Field>
            <div class="form-actions">
              <Button kind="primary" type="submit" busy={busy}>
                {t('maint.save')}
              </Button>
              <Button onClick={() => setEditing(false)}>{t('ui.cancel')}</Button>
            </div>
          </form>
        ) : null}
      </div>
      {can('responder') && open ? (
        <form
          class="panel"
          onSubmit={(e) => {
            e.preventDefault();
            void post(status || m.status, body);
          }}
          noValidate
        >
          <h2>{t('maint.update')}</h2>
          <Field id="maint-update-status" label={t('maint.status')}>
            <select id="maint-update-status" value={status || m.status} onChange={(e) => setStatus(e.currentTarget.value)}>
              {kMaintenanceStatuses.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="maint-update-body" label={t('maint.message')}>
            <textarea id="maint-update-body" value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          </Field>
          <NotifyCheckbox id="maint-update-notify" checked={notify} onChange={setNotify} />
          <div class="form-actions">
            <Button kind="primary" type="submit" busy={busy}>
              {t('maint.update.submit')}
            </Button>
          </div>
        </form>
      ) : null}
      <Timeline updates={m.incident_updates} />
      <p>
        <Link href="/maintenance">{t('maint.back')}</Link>
      </p>
    </div>
  );
}

export default function Maintenance(props: { id?: string }) {
  const list = useResource<Incident[]>(props.id ? null : '/api/v1/maintenances?per_page=100', ['page']);
  const comps = useResource<Component[]>(props.id ? null : '/api/v1/components', ['page']);
  const scheduling = new URLSearchParams(query.value).get('new') === '1';
  if (props.id) return <Detail id={props.id} />;
  const all = list.data ?? [];
  const upcoming = all.filter(isOpen).sort((a, b) => (a.scheduled_for ?? '').localeCompare(b.scheduled_for ?? ''));
  const past = all.filter((m) => !isOpen(m));
  return (
    <div>
      <PageTitle title={t('maint.title')}>
        {can('responder') ? (
          <Button kind="primary" onClick={() => navigate('/maintenance?new=1')}>
            {t('maint.schedule')}
          </Button>
        ) : null}
      </PageTitle>
      <ErrorBox error={list.error} />
      {list.data === undefined ? <Loading /> : <Calendar list={all} />}
      <h2>{t('maint.upcoming')}</h2>
      {list.data === undefined ? null : upcoming.length === 0 ? <Empty text={t('maint.none_upcoming')} /> : <MaintenanceList list={upcoming} />}
      <h2>{t('maint.past')}</h2>
      {list.data === undefined ? null : past.length === 0 ? <Empty text={t('maint.none_past')} /> : <MaintenanceList list={past} />}
      {scheduling && can('responder') ? (
        <Dialog open wide title={t('maint.schedule')} onClose={() => navigate('/maintenance', true)}>
          {comps.data ? (
            <ScheduleForm
              components={comps.data}
              onCancel={() => navigate('/maintenance', true)}
              onDone={() => {
                navigate('/maintenance', true);
                list.reload();
              }}
            />
          ) : (
            <Loading />
          )}
        </Dialog>
      ) : null}
    </div>
  );
}
