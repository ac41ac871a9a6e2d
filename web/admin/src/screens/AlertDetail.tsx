// One alert incident: its state, acknowledge / resolve / escalate now / add a note / merge other
// incidents into it; its alerts (acknowledge, resolve or split each); its escalation (policy,
// level, notification attempts and their outcomes); and the append-only log, newest first.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, formatTime, t } from '../i18n';
import { useResource } from '../resource';
import { can } from '../session';
import { Button, Dialog, Empty, ErrorBox, Field, Link, Loading, PageTitle } from '../ui';
import {
  AlertStateBadge,
  UrgencyBadge,
  useDirectory,
  usePoll,
  type Alert,
  type AlertIncident,
  type IncidentEscalation,
  type LogEntry,
  type Policy,
  type Service,
  type ServiceEscalation,
} from './alerting';

addMessages('en', {
  'alert.back': 'All alerts',
  'alert.acknowledge': 'Acknowledge',
  'alert.resolve': 'Resolve',
  'alert.escalate': 'Escalate now',
  'alert.escalate.title': 'Escalate now',
  'alert.escalate.level': 'Page level',
  'alert.escalate.next': 'The next level',
  'alert.escalate.levelN': 'Level {n}',
  'alert.escalate.hint': 'Starts paging at once from this level, even if the incident is acknowledged.',
  'alert.escalate.submit': 'Page now',
  'alert.escalate.done': 'Escalation started.',
  'alert.merge': 'Merge…',
  'alert.merge.title': 'Merge incidents into #{number}',
  'alert.merge.hint': 'The chosen open incidents of the same service move their alerts into this one.',
  'alert.merge.none': 'No other open incidents of this service.',
  'alert.merge.submit': 'Merge',
  'alert.mergedInto': 'This incident was merged into another one.',
  'alert.mergedInto.link': 'Open it',
  'alert.service': 'Service',
  'alert.opened': 'Opened',
  'alert.acknowledged': 'Acknowledged',
  'alert.resolved': 'Resolved',
  'alert.count': '{open} of {total} alerts open',
  'alert.note': 'Add a note',
  'alert.note.label': 'Note',
  'alert.note.submit': 'Add note',
  'alert.alerts': 'Alerts',
  'alert.alert.repeats': '×{count}',
  'alert.alert.severity': 'Severity',
  'alert.alert.priority': 'Priority',
  'alert.alert.source': 'Source',
  'alert.alert.dedup': 'Dedup key',
  'alert.alert.via': 'Via',
  'alert.alert.labels': 'Labels',
  'alert.alert.details': 'Details',
  'alert.alert.ackedBy': 'Acknowledged by',
  'alert.alert.snoozed': 'Snoozed until',
  'alert.alert.ackExpires': 'Acknowledgement expires',
  'alert.split': 'Split',
  'alert.split.confirm': 'Move this alert out into a new incident of its own?',
  'alert.escalation': 'Escalation',
  'alert.escalation.none': 'Nobody is paged for this incident: its service had no escalation policy when it opened.',
  'alert.escalation.policy': 'Policy',
  'alert.escalation.level': 'Level',
  'alert.escalation.levelOf': 'level {level} of {levels}, pass {pass}',
  'alert.escalation.notYet': 'not paged yet',
  'alert.escalation.state': 'State',
  'alert.escalation.running': 'Escalating',
  'alert.escalation.stopped': 'Stopped',
  'alert.escalation.next': 'Next step',
  'alert.escalation.nextLevel': 'level {level} at {time}',
  'alert.attempts': 'Notifications',
  'alert.attempts.none': 'No notifications sent yet.',
  'alert.attempts.time': 'Time',
  'alert.attempts.person': 'Person',
  'alert.attempts.channel': 'Channel',
  'alert.attempts.state': 'Outcome',
  'alert.attempts.answer': 'Answer',
  'alert.attempt.queued': 'Queued',
  'alert.attempt.sending': 'Sending',
  'alert.attempt.sent': 'Sent',
  'alert.attempt.failed': 'Failed',
  'alert.attempt.bundled': 'Bundled',
  'alert.attempt.cancelled': 'Cancelled',
  'alert.answer.acknowledged': 'acknowledged from it',
  'alert.answer.resolved': 'resolved from it',
  'alert.log': 'Log',
  'alert.log.by': 'by {actor}',
  'alert.log.via': 'via {via}',
  'alert.log.alert': 'alert #{tiny}',
  'alert.action.trigger': 'Alert triggered',
  'alert.action.deduplicated': 'Repeated',
  'alert.action.acknowledged': 'Alert acknowledged',
  'alert.action.unacknowledged': 'Acknowledgement withdrawn',
  'alert.action.resolved': 'Alert resolved',
  'alert.action.note': 'Note',
  'alert.action.snoozed': 'Snoozed',
  'alert.action.snooze_ended': 'Snooze ended',
  'alert.action.priority': 'Priority changed',
  'alert.action.escalated': 'Escalated',
  'alert.action.assigned': 'Assigned',
  'alert.action.split': 'Split off',
  'alert.action.merge': 'Merged in',
  'alert.action.merged': 'Merged away',
  'alert.action.incident.opened': 'Incident opened',
  'alert.action.incident.triggered': 'Incident triggered',
  'alert.action.incident.acknowledged': 'Incident acknowledged',
  'alert.action.incident.resolved': 'Incident resolved',
  'alert.action.escalate': 'Escalated now',
  'alert.action.escalation.started': 'Escalation started',
  'alert.action.reescalated': 'Paged again',
  'alert.action.notify.sent': 'Notification sent',
  'alert.action.notify.failed': 'Notification failed',
  'alert.action.notify.bundled': 'Notification bundled',
  'alert.action.notify.retry': 'Notification retried',
});
addMessages('de', {
  'alert.back': 'Alle Alarme',
  'alert.acknowledge': 'Bestätigen',
  'alert.resolve': 'Beheben',
  'alert.escalate': 'Jetzt eskalieren',
  'alert.escalate.title': 'Jetzt eskalieren',
  'alert.escalate.level': 'Stufe alarmieren',
  'alert.escalate.next': 'Die nächste Stufe',
  'alert.escalate.levelN': 'Stufe {n}',
  'alert.escalate.hint': 'Alarmiert sofort ab dieser Stufe, auch wenn der Vorfall bestätigt ist.',
  'alert.escalate.submit': 'Jetzt alarmieren',
  'alert.escalate.done': 'Eskalation gestartet.',
  'alert.merge': 'Zusammenführen…',
  'alert.merge.title': 'Vorfälle in #{number} zusammenführen',
  'alert.merge.hint': 'Die gewählten offenen Vorfälle desselben Dienstes verschieben ihre Alarme in diesen.',
  'alert.merge.none': 'Keine anderen offenen Vorfälle dieses Dienstes.',
  'alert.merge.submit': 'Zusammenführen',
  'alert.mergedInto': 'Dieser Vorfall wurde in einen anderen zusammengeführt.',
  'alert.mergedInto.link': 'Öffnen',
  'alert.service': 'Dienst',
  'alert.opened': 'Eröffnet',
  'alert.acknowledged': 'Bestätigt',
  'alert.resolved': 'Behoben',
  'alert.count': '{open} von {total} Alarmen offen',
  'alert.note': 'Notiz hinzufügen',
  'alert.note.label': 'Notiz',
  'alert.note.submit': 'Notiz hinzufügen',
  'alert.alerts': 'Alarme',
  'alert.alert.repeats': '×{count}',
  'alert.alert.severity': 'Schweregrad',
  'alert.alert.priority': 'Priorität',
  'alert.alert.source': 'Quelle',
  'alert.alert.dedup': 'Dedup-Schlüssel',
  'alert.alert.via': 'Über',
  'alert.alert.labels': 'Labels',
  'alert.alert.details': 'Details',
  'alert.alert.ackedBy': 'Bestätigt von',
  'alert.alert.snoozed': 'Zurückgestellt bis',
  'alert.alert.ackExpires': 'Bestätigung läuft ab',
  'alert.split': 'Abtrennen',
  'alert.split.confirm': 'Diesen Alarm in einen eigenen, neuen Vorfall verschieben?',
  'alert.escalation': 'Eskalation',
  'alert.escalation.none': 'Für diesen Vorfall wird niemand alarmiert: Sein Dienst hatte beim Eröffnen keine Eskalationsrichtlinie.',
  'alert.escalation.policy': 'Richtlinie',
  'alert.escalation.level': 'Stufe',
  'alert.escalation.levelOf': 'Stufe {level} von {levels}, Durchlauf {pass}',
  'alert.escalation.notYet': 'noch nicht alarmiert',
  'alert.escalation.state': 'Zustand',
  'alert.escalation.running': 'Eskaliert',
  'alert.escalation.stopped': 'Angehalten',
  'alert.escalation.next': 'Nächster Schritt',
  'alert.escalation.nextLevel': 'Stufe {level} um {time}',
  'alert.attempts': 'Benachrichtigungen',
  'alert.attempts.none': 'Noch keine Benachrichtigungen gesendet.',
  'alert.attempts.time': 'Zeit',
  'alert.attempts.person': 'Person',
  'alert.attempts.channel': 'Kanal',
  'alert.attempts.state': 'Ergebnis',
  'alert.attempts.answer': 'Antwort',
  'alert.attempt.queued': 'Wartet',
  'alert.attempt.sending': 'Wird gesendet',
  'alert.attempt.sent': 'Gesendet',
  'alert.attempt.failed': 'Fehlgeschlagen',
  'alert.attempt.bundled': 'Gebündelt',
  'alert.attempt.cancelled': 'Abgebrochen',
  'alert.answer.acknowledged': 'darüber bestätigt',
  'alert.answer.resolved': 'darüber behoben',
  'alert.log': 'Protokoll',
  'alert.log.by': 'von {actor}',
  'alert.log.via': 'über {via}',
  'alert.log.alert': 'Alarm #{tiny}',
  'alert.action.trigger': 'Alarm ausgelöst',
  'alert.action.deduplicated': 'Wiederholt',
  'alert.action.acknowledged': 'Alarm bestätigt',
  'alert.action.unacknowledged': 'Bestätigung zurückgenommen',
  'alert.action.resolved': 'Alarm behoben',
  'alert.action.note': 'Notiz',
  'alert.action.snoozed': 'Zurückgestellt',
  'alert.action.snooze_ended': 'Zurückstellung beendet',
  'alert.action.priority': 'Priorität geändert',
  'alert.action.escalated': 'Eskaliert',
  'alert.action.assigned': 'Zugewiesen',
  'alert.action.split': 'Abgetrennt',
  'alert.action.merge': 'Zusammengeführt',
  'alert.action.merged': 'Weggeführt',
  'alert.action.incident.opened': 'Vorfall eröffnet',
  'alert.action.incident.triggered': 'Vorfall ausgelöst',
  'alert.action.incident.acknowledged': 'Vorfall bestätigt',
  'alert.action.incident.resolved': 'Vorfall behoben',
  'alert.action.escalate': 'Jetzt eskaliert',
  'alert.action.escalation.started': 'Eskalation gestartet',
  'alert.action.reescalated': 'Erneut alarmiert',
  'alert.action.notify.sent': 'Benachrichtigung gesendet',
  'alert.action.notify.failed': 'Benachrichtigung fehlgeschlagen',
  'alert.action.notify.bundled': 'Benachrichtigung gebündelt',
  'alert.action.notify.retry': 'Benachrichtigung wiederholt',
});

const kAttemptTone: Record<string, string> = { sent: 'ok', failed: 'crit', queued: 'muted', sending: 'warn', bundled: 'muted', cancelled: 'muted' };

function EscalateDialog(props: { incident: AlertIncident; levels: number; onClose: () => void; onDone: () => void }) {
  const [level, setLevel] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  // An incident opened without a policy escalates with its service's current one.
  const svc = useResource<ServiceEscalation>(
    props.levels > 0 ? null : `/api/v1/services/${encodeURIComponent(props.incident.service_id)}/escalation`,
  );
  const svcPolicy = svc.data?.escalation_policy_id;
  const policy = useResource<Policy>(svcPolicy ? `/api/v1/escalation-policies/${encodeURIComponent(svcPolicy)}` : null);
  const levels = props.levels || policy.data?.levels.length || 0;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/api/v1/alert-incidents/${encodeURIComponent(props.incident.id)}/escalate`, level ? { level: Number(level) } : {});
      props.onDone();
      props.onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open title={t('alert.escalate.title')} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <Field id="escalate-level" label={t('alert.escalate.level')} hint={t('alert.escalate.hint')}>
          <select id="escalate-level" value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            <option value="">{t('alert.escalate.next')}</option>
            {Array.from({ length: levels }, (_, i) => (
              <option key={i} value={String(i + 1)}>
                {t('alert.escalate.levelN', { n: i + 1 })}
              </option>
            ))}
          </select>
        </Field>
        <ErrorBox error={error} />
        <div class="form-actions">
          <Button kind="primary" type="submit" busy={busy}>
            {t('alert.escalate.submit')}
          </Button>
          <Button onClick={props.onClose}>{t('ui.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

function MergeDialog(props: { incident: AlertIncident; onClose: () => void; onDone: () => void }) {
  const inc = props.incident;
  const res = useResource<{ data: AlertIncident[] }>(
    `/api/v1/alert-incidents?state=open&limit=200&service_id=${encodeURIComponent(inc.service_id)}`,
    ['alerts'],
  );
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const others = (res.data?.data ?? []).filter((x) => x.id !== inc.id);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/api/v1/alert-incidents/${encodeURIComponent(inc.id)}/merge`, { sources: chosen });
      props.onDone();
      props.onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open title={t('alert.merge.title', { number: inc.number })} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <p class="hint">{t('alert.merge.hint')}</p>
        <ErrorBox error={res.error} />
        {res.data === undefined && !res.error ? <Loading /> : null}
        {res.data && others.length === 0 ? <Empty text={t('alert.merge.none')} /> : null}
        {others.map((x) => {
          const id = `merge-${x.id}`;
          return (
            <div class="field field-inline" key={x.id}>
              <input
                id={id}
                type="checkbox"
                checked={chosen.includes(x.id)}
                onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, x.id] : chosen.filter((c) => c !== x.id))}
              />
              <label for={id}>
                #{x.number} {x.title} <span class="muted">({formatTime(x.created_at)})</span>
              </label>
            </div>
          );
        })}
        <ErrorBox error={error} />
        <div class="form-actions">
          <Button kind="primary" type="submit" busy={busy} disabled={chosen.length === 0}>
            {t('alert.merge.submit')}
          </Button>
          <Button onClick={props.onClose}>{t('ui.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

function NoteForm(props: { incident: AlertIncident; onDone: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/api/v1/alert-incidents/${encodeURIComponent(props.incident.id)}/notes`, { note: text });
      setText('');
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel note-form" onSubmit={submit} noValidate>
      <h2>{t('alert.note')}</h2>
      <Field id="alert-note" label={t('alert.note.label')}>
        <textarea id="alert-note" maxLength={25000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </Field>
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy} disabled={text.trim() === ''}>
          {t('alert.note.submit')}
        </Button>
      </div>
    </form>
  );
}

function AlertRow(props: { alert: Alert; canSplit: boolean; onChange: () => void }) {
  const a = props.alert;
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState('');
  const act = async (action: 'acknowledge' | 'resolve' | 'split') => {
    if (action === 'split' && !window.confirm(t('alert.split.confirm'))) return;
    setBusy(action);
    setError(undefined);
    try {
      await api('POST', `/api/v1/alerts/${encodeURIComponent(a.id)}/${action}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
    props.onChange();
  };
  const labels = Object.entries(a.labels ?? {});
  const hasDetails = Object.keys(a.details ?? {}).length > 0;
  return (
    <li data-id={a.id} data-state={a.state}>
      <div class="grow">
        <div class="alert-summary">
          {a.summary} {a.count > 1 ? <span class="muted">{t('alert.alert.repeats', { count: a.count })}</span> : null}
        </div>
        <div class="meta break">
          #{a.tiny_id} · {formatTime(a.created_at)} · {t('alert.alert.severity')}: {a.severity || '—'} · {t('alert.alert.priority')}: {a.priority} ·{' '}
          {t('alert.alert.via')}: {a.dialect}
          {a.source ? ` · ${t('alert.alert.source')}: ${a.source}` : ''}
          {a.acknowledged_by ? ` · ${t('alert.alert.ackedBy')}: ${a.acknowledged_by}` : ''}
          {a.snoozed_until ? ` · ${t('alert.alert.snoozed')}: ${formatTime(a.snoozed_until)}` : ''}
          {a.ack_expires_at && a.state === 'acknowledged' ? ` · ${t('alert.alert.ackExpires')}: ${formatTime(a.ack_expires_at)}` : ''}
          {a.silenced ? ` · ${t('alerting.silenced')}` : ''}
        </div>
        {a.description || labels.length > 0 || hasDetails || a.dedup_key || (a.links ?? []).length > 0 ? (
          <details class="alert-more">
            <summary>{t('alert.alert.details')}</summary>
            {a.description ? <p class="update-body">{a.description}</p> : null}
            <dl class="facts">
              <dt>{t('alert.alert.dedup')}</dt>
              <dd class="mono break">{a.dedup_key}</dd>
              {labels.length > 0 ? (
                <>
                  <dt>{t('alert.alert.labels')}</dt>
                  <dd class="break">
                    {labels.map(([k, v]) => (
                      <code key={k} class="label-chip">
                        {k}={v}
                      </code>
                    ))}
                  </dd>
                </>
              ) : null}
            </dl>
            {(a.links ?? [])
              .filter((l) => l.href && /^https?:\/\//.test(l.href))
              .map((l, i) => (
                <div key={i}>
                  <a href={l.href} target="_blank" rel="noopener noreferrer">
                    {l.text || l.href}
                  </a>
                </div>
              ))}
            {hasDetails ? <pre class="details-json">{JSON.stringify(a.details, null, 2)}</pre> : null}
          </details>
        ) : null}
      </div>
      <AlertStateBadge state={a.state} />
      {can('responder') && a.state !== 'resolved' ? (
        <span class="row-actions">
          {a.state === 'triggered' ? (
            <Button class="btn-small" busy={busy === 'acknowledge'} onClick={() => void act('acknowledge')}>
              {t('alert.acknowledge')}
            </Button>
          ) : null}
          <Button class="btn-small" busy={busy === 'resolve'} onClick={() => void act('resolve')}>
            {t('alert.resolve')}
          </Button>
          {props.canSplit ? (
            <Button class="btn-small" busy={busy === 'split'} onClick={() => void act('split')}>
              {t('alert.split')}
            </Button>
          ) : null}
        </span>
      ) : null}
      {error ? (
        <div class="row-error">
          <ErrorBox error={error} />
        </div>
      ) : null}
    </li>
  );
}

function EscalationPanel(props: { esc: IncidentEscalation | undefined; error: unknown }) {
  const dir = useDirectory();
  const esc = props.esc;
  if (!esc) return <ErrorBox error={props.error} />;
  const pending = esc.timers.filter((x) => x.state === 'pending' && x.kind === 'level').sort((a, b) => a.due_at.localeCompare(b.due_at));
  const attempts = [...esc.attempts].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <section class="panel alert-escalation">
      <h2>{t('alert.escalation')}</h2>
      {!esc.policy ? (
        <p class="muted">{t('alert.escalation.none')}</p>
      ) : (
        <dl class="facts">
          <dt>{t('alert.escalation.policy')}</dt>
          <dd>
            <Link href={`/escalation-policies/${esc.policy.id}`}>{esc.policy.name}</Link>
          </dd>
          <dt>{t('alert.escalation.level')}</dt>
          <dd>
            {esc.current_level && esc.current_level > 0
              ? t('alert.escalation.levelOf', { level: esc.current_level, levels: esc.policy.levels.length, pass: (esc.current_pass ?? 0) + 1 })
              : t('alert.escalation.notYet')}
          </dd>
          <dt>{t('alert.escalation.state')}</dt>
          <dd>
            <span class={`badge badge-${esc.escalating ? 'warn' : 'muted'}`} data-escalating={esc.escalating ? 'true' : 'false'}>
              {esc.escalating ? t('alert.escalation.running') : t('alert.escalation.stopped')}
            </span>
          </dd>
          {esc.escalating && pending.length > 0 ? (
            <>
              <dt>{t('alert.escalation.next')}</dt>
              <dd>{t('alert.escalation.nextLevel', { level: pending[0].level, time: formatTime(pending[0].due_at) })}</dd>
            </>
          ) : null}
        </dl>
      )}
      {esc.policy ? (
        <>
          <h3>{t('alert.attempts')}</h3>
          {attempts.length === 0 ? (
            <p class="muted">{t('alert.attempts.none')}</p>
          ) : (
            <div class="table-wrap">
              <table class="attempts">
                <thead>
                  <tr>
                    <th>{t('alert.attempts.time')}</th>
                    <th>{t('alert.attempts.person')}</th>
                    <th>{t('alert.attempts.channel')}</th>
                    <th>{t('alert.attempts.state')}</th>
                  </tr>
                </thead>
                <tbody>
                  {attempts.map((a) => (
                    <tr key={a.id} data-id={a.id} data-state={a.state}>
                      <td>{formatTime(a.sent_at ?? a.created_at)}</td>
                      <td>{dir.name('user', a.user_id)}</td>
                      <td>{a.channel}</td>
                      <td>
                        <span class={`badge badge-${kAttemptTone[a.state] ?? 'muted'}`}>{t(`alert.attempt.${a.state}`)}</span>
                        {a.error ? <div class="error-text break">{a.error}</div> : null}
                        {a.answer ? (
                          <div class="meta">
                            {t(`alert.answer.${a.answer}`)}
                            {a.answered_at ? ` · ${formatTime(a.answered_at)}` : ''}
                          </div>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}

/** The log's action in words; an action without a text of its own shows its code. */
function actionLabel(action: string): string {
  const key = `alert.action.${action}`;
  const text = t(key);
  return text === key ? action : text;
}

function Log(props: { log: LogEntry[]; alerts: Alert[] }) {
  const tiny = new Map(props.alerts.map((a) => [a.id, a.tiny_id]));
  const entries = [...props.log].sort((a, b) => b.seq - a.seq);
  return (
    <section class="alert-log">
      <h2>{t('alert.log')}</h2>
      {entries.length === 0 ? (
        <Empty />
      ) : (
        <ol class="timeline">
          {entries.map((e) => (
            <li key={e.seq} data-action={e.action}>
              <div class="row">
                <strong class="log-action" title={e.action}>
                  {actionLabel(e.action)}
                </strong>
                <span class="meta">{formatTime(e.at)}</span>
                {e.actor ? <span class="meta">{t('alert.log.by', { actor: e.actor })}</span> : null}
                {e.via ? <span class="meta">{t('alert.log.via', { via: e.via })}</span> : null}
                {e.alert_id && tiny.has(e.alert_id) ? <span class="meta">{t('alert.log.alert', { tiny: tiny.get(e.alert_id)! })}</span> : null}
              </div>
              {e.text ? <div class="update-body">{e.text}</div> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export default function AlertDetail(props: { id?: string }) {
  const base = `/api/v1/alert-incidents/${encodeURIComponent(props.id ?? '')}`;
  const res = useResource<AlertIncident>(base, ['alerts']);
  const esc = useResource<IncidentEscalation>(`${base}/escalation`, ['alerts']);
  const services = useResource<{ data: Service[] }>('/api/v1/services', ['alerts']);
  const reload = () => {
    res.reload();
    esc.reload();
  };
  usePoll(reload);
  const [dialog, setDialog] = useState<'' | 'escalate' | 'merge'>('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState('');
  const [notice, setNotice] = useState('');
  const inc = res.data;
  if (res.error && !inc) {
    return (
      <div class="screen-alert">
        <PageTitle title={t('alerts.title')} />
        <ErrorBox error={res.error} />
        <Link href="/alerts">{t('alert.back')}</Link>
      </div>
    );
  }
  if (!inc) return <Loading />;
  const service = (services.data?.data ?? []).find((s) => s.id === inc.service_id);
  const open = inc.state !== 'resolved';
  const alerts = inc.alerts ?? [];

  const act = async (action: 'acknowledge' | 'resolve') => {
    setBusy(action);
    setError(undefined);
    setNotice('');
    try {
      await api('POST', `${base}/${action}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
    reload();
  };

  return (
    <div class="screen-alert" data-id={inc.id} data-state={inc.state}>
      <PageTitle title={`#${inc.number} ${inc.title}`}>
        {can('responder') && inc.state === 'triggered' ? (
          <Button kind="primary" busy={busy === 'acknowledge'} onClick={() => void act('acknowledge')}>
            {t('alert.acknowledge')}
          </Button>
        ) : null}
        {can('responder') && open ? (
          <Button busy={busy === 'resolve'} onClick={() => void act('resolve')}>
            {t('alert.resolve')}
          </Button>
        ) : null}
        {can('responder') && open ? (
          <Button onClick={() => setDialog('escalate')}>{t('alert.escalate')}</Button>
        ) : null}
        {can('responder') && open ? <Button onClick={() => setDialog('merge')}>{t('alert.merge')}</Button> : null}
      </PageTitle>
      <ErrorBox error={error} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {inc.merged_into ? (
        <p class="notice">
          {t('alert.mergedInto')} <Link href={`/alerts/${inc.merged_into}`}>{t('alert.mergedInto.link')}</Link>
        </p>
      ) : null}
      <section class="panel">
        <div class="row">
          <AlertStateBadge state={inc.state} />
          <UrgencyBadge urgency={inc.urgency} />
          {inc.silenced ? <span class="badge badge-muted">{t('alerting.silenced')}</span> : null}
          <span class="meta muted">{t('alert.count', { open: inc.open_count, total: inc.alert_count })}</span>
        </div>
        <dl class="facts">
          <dt>{t('alert.service')}</dt>
          <dd>{service ? <Link href={`/services/${service.id}`}>{service.name}</Link> : inc.service_id}</dd>
          <dt>{t('alert.opened')}</dt>
          <dd>{formatTime(inc.created_at)}</dd>
          {inc.acknowledged_at ? (
            <>
              <dt>{t('alert.acknowledged')}</dt>
              <dd>{formatTime(inc.acknowledged_at)}</dd>
            </>
          ) : null}
          {inc.resolved_at ? (
            <>
              <dt>{t('alert.resolved')}</dt>
              <dd>{formatTime(inc.resolved_at)}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <EscalationPanel esc={esc.data} error={esc.error} />
      <section class="alert-alerts-section">
        <h2>{t('alert.alerts')}</h2>
        {alerts.length === 0 ? (
          <Empty />
        ) : (
          <ul class="list alert-alerts">
            {alerts.map((a) => (
              <AlertRow key={a.id} alert={a} canSplit={alerts.length > 1} onChange={reload} />
            ))}
          </ul>
        )}
      </section>
      {can('responder') ? <NoteForm incident={inc} onDone={reload} /> : null}
      <Log log={inc.log ?? []} alerts={alerts} />
      <p>
        <Link href="/alerts">{t('alert.back')}</Link>
      </p>
      {dialog === 'escalate' ? (
        <EscalateDialog
          incident={inc}
          levels={esc.data?.policy?.levels.length ?? 0}
          onClose={() => setDialog('')}
          onDone={() => {
            setNotice(t('alert.escalate.done'));
            reload();
          }}
        />
      ) : null}
      {dialog === 'merge' ? <MergeDialog incident={inc} onClose={() => setDialog('')} onDone={reload} /> : null}
    </div>
  );
}
