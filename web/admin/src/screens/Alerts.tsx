// Alerts (issue 6): alert incidents filtered by state, service and urgency, newest first, with
// acknowledge and resolve on each row. Refreshed by the live stream ("alerts": admin actions)
// and every 10 s while visible (alerts arriving through the intake are not announced).
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, formatTime, t } from '../i18n';
import { useResource } from '../resource';
import { navigate, query } from '../router';
import { can } from '../session';
import { Button, Empty, ErrorBox, Field, Link, Loading, PageTitle } from '../ui';
import { AlertStateBadge, UrgencyBadge, usePoll, type AlertIncident, type Service } from './alerting';

addMessages('en', {
  'alerts.title': 'Alerts',
  'alerts.intro': 'Incidents opened by alerts from the services\' integrations. Alerts that arrive close together are grouped into one incident.',
  'alerts.filter.state': 'State',
  'alerts.filter.service': 'Service',
  'alerts.filter.urgency': 'Urgency',
  'alerts.filter.open': 'Open',
  'alerts.filter.all': 'All',
  'alerts.filter.allServices': 'All services',
  'alerts.empty': 'No alert incidents match.',
  'alerts.acknowledge': 'Acknowledge',
  'alerts.resolve': 'Resolve',
  'alerts.count': '{open} of {total} alerts open',
  'alerts.opened': 'opened {time}',
  'alerts.newer': 'Newer',
  'alerts.older': 'Older',
  'alerts.services': 'Services',
});
addMessages('de', {
  'alerts.title': 'Alarme',
  'alerts.intro': 'Vorfälle, eröffnet von Alarmen aus den Integrationen der Dienste. Kurz nacheinander eintreffende Alarme werden zu einem Vorfall gruppiert.',
  'alerts.filter.state': 'Zustand',
  'alerts.filter.service': 'Dienst',
  'alerts.filter.urgency': 'Dringlichkeit',
  'alerts.filter.open': 'Offen',
  'alerts.filter.all': 'Alle',
  'alerts.filter.allServices': 'Alle Dienste',
  'alerts.empty': 'Keine passenden Vorfälle.',
  'alerts.acknowledge': 'Bestätigen',
  'alerts.resolve': 'Beheben',
  'alerts.count': '{open} von {total} Alarmen offen',
  'alerts.opened': 'eröffnet {time}',
  'alerts.newer': 'Neuere',
  'alerts.older': 'Ältere',
  'alerts.services': 'Dienste',
});

const kPerPage = 50;
const kStates = ['open', 'triggered', 'acknowledged', 'resolved', 'all'] as const;

function params(): URLSearchParams {
  return new URLSearchParams(query.value);
}

export default function Alerts(_props: Record<string, string>) {
  const q = params();
  const state = q.get('state') ?? 'open';
  const serviceId = q.get('service_id') ?? '';
  const urgency = q.get('urgency') ?? '';
  // Cursors of the pages before this one ("Newer" goes back), the current page's cursor last.
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.length > 0 ? cursors[cursors.length - 1] : 0;

  const apiQuery = new URLSearchParams({ limit: String(kPerPage) });
  if (state !== 'all') apiQuery.set('state', state);
  if (serviceId) apiQuery.set('service_id', serviceId);
  if (before) apiQuery.set('before', String(before));
  const res = useResource<{ data: AlertIncident[] }>(`/api/v1/alert-incidents?${apiQuery.toString()}`, ['alerts']);
  const services = useResource<{ data: Service[] }>('/api/v1/services', ['alerts']);
  usePoll(res.reload);
  const [rowError, setRowError] = useState<{ id: string; error: unknown } | null>(null);
  const [busy, setBusy] = useState('');

  const setFilter = (name: string, value: string) => {
    const next = params();
    if (value) next.set(name, value);
    else next.delete(name);
    setCursors([]);
    const s = next.toString();
    navigate(`/alerts${s ? `?${s}` : ''}`, true);
  };

  const act = async (i: AlertIncident, action: 'acknowledge' | 'resolve') => {
    setRowError(null);
    setBusy(`${i.id}/${action}`);
    try {
      await api('POST', `/api/v1/alert-incidents/${encodeURIComponent(i.id)}/${action}`);
    } catch (e) {
      setRowError({ id: i.id, error: e });
    } finally {
      setBusy('');
    }
    res.reload();
  };

  const serviceNames = new Map((services.data?.data ?? []).map((s) => [s.id, s.name]));
  const all = res.data?.data ?? [];
  const list = urgency ? all.filter((i) => i.urgency === urgency) : all;
  const last = all.length > 0 ? all[all.length - 1].number : 0;
  return (
    <div class="screen-alerts">
      <PageTitle title={t('alerts.title')}>
        <Link href="/services" class="btn">
          {t('alerts.services')}
        </Link>
      </PageTitle>
      <p class="hint">{t('alerts.intro')}</p>
      <div class="filters">
        <Field id="alerts-state" label={t('alerts.filter.state')}>
          <select id="alerts-state" value={state} onChange={(e) => setFilter('state', e.currentTarget.value === 'open' ? '' : e.currentTarget.value)}>
            {kStates.map((s) => (
              <option key={s} value={s}>
                {s === 'open' || s === 'all' ? t(`alerts.filter.${s}`) : t(`alerting.state.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="alerts-service" label={t('alerts.filter.service')}>
          <select id="alerts-service" value={serviceId} onChange={(e) => setFilter('service_id', e.currentTarget.value)}>
            <option value="">{t('alerts.filter.allServices')}</option>
            {(services.data?.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="alerts-urgency" label={t('alerts.filter.urgency')}>
          <select id="alerts-urgency" value={urgency} onChange={(e) => setFilter('urgency', e.currentTarget.value)}>
            <option value="">{t('alerts.filter.all')}</option>
            <option value="high">{t('alerting.urgency.high')}</option>
            <option value="low">{t('alerting.urgency.low')}</option>
          </select>
        </Field>
      </div>
      <ErrorBox error={res.error} />
      {res.data === undefined && !res.error ? <Loading /> : null}
      {res.data && list.length === 0 ? <Empty text={t('alerts.empty')} /> : null}
      {list.length > 0 ? (
        <ul class="list alert-list">
          {list.map((i) => (
            <li key={i.id} data-id={i.id} data-number={i.number} data-state={i.state}>
              <span class="grow">
                <Link href={`/alerts/${i.id}`}>
                  #{i.number} {i.title}
                </Link>
                <div class="meta break">
                  {serviceNames.get(i.service_id) ?? i.service_id} · {t('alerts.opened', { time: formatTime(i.created_at) })} ·{' '}
                  {t('alerts.count', { open: i.open_count, total: i.alert_count })}
                  {i.silenced ? ` · ${t('alerting.silenced')}` : ''}
                </div>
              </span>
              <UrgencyBadge urgency={i.urgency} />
              <AlertStateBadge state={i.state} />
              {can('responder') && i.state !== 'resolved' ? (
                <span class="row-actions">
                  {i.state === 'triggered' ? (
                    <Button class="btn-small" busy={busy === `${i.id}/acknowledge`} onClick={() => void act(i, 'acknowledge')}>
                      {t('alerts.acknowledge')}
                    </Button>
                  ) : null}
                  <Button class="btn-small" busy={busy === `${i.id}/resolve`} onClick={() => void act(i, 'resolve')}>
                    {t('alerts.resolve')}
                  </Button>
                </span>
              ) : null}
              {rowError && rowError.id === i.id ? (
                <div class="row-error">
                  <ErrorBox error={rowError.error} />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {cursors.length > 0 || all.length >= kPerPage ? (
        <div class="form-actions">
          <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            ‹ {t('alerts.newer')}
          </Button>
          <Button disabled={all.length < kPerPage} onClick={() => setCursors([...cursors, last])}>
            {t('alerts.older')} ›
          </Button>
        </div>
      ) : null}
    </div>
  );
}
