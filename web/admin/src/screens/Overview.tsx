// What is broken now: components not operational, open incidents, maintenance in progress
// and upcoming, monitors that are down or degraded.
import { addMessages, formatTime, t } from '../i18n';
import { useResource } from '../resource';
import { can } from '../session';
import type { Component, Incident, Monitor } from '../types';
import { kOpenIncidentStatuses, kOpenMaintenanceStatuses } from '../types';
import { Empty, ErrorBox, Link, Loading, PageTitle, StatusBadge } from '../ui';
import { IncidentRows } from './Incidents';

addMessages('en', {
  'overview.title': 'Overview',
  'overview.all_ok': 'All systems operational. Nothing needs attention.',
  'overview.components': 'Components not operational',
  'overview.components.ok': 'All components are operational.',
  'overview.incidents': 'Open incidents',
  'overview.incidents.none': 'No open incidents.',
  'overview.maintenance': 'Maintenance in progress and upcoming',
  'overview.maintenance.none': 'No maintenance scheduled.',
  'overview.monitors': 'Monitors down',
  'overview.monitors.none': 'All monitors are up.',
  'overview.since': 'since {time}',
  'overview.window': '{from} – {until}',
  'overview.new_incident': 'New incident',
  'overview.new_maintenance': 'Schedule maintenance',
});
addMessages('de', {
  'overview.title': 'Übersicht',
  'overview.all_ok': 'Alle Systeme in Betrieb. Nichts zu tun.',
  'overview.components': 'Komponenten mit Problemen',
  'overview.components.ok': 'Alle Komponenten sind in Betrieb.',
  'overview.incidents': 'Offene Störungen',
  'overview.incidents.none': 'Keine offenen Störungen.',
  'overview.maintenance': 'Laufende und geplante Wartungen',
  'overview.maintenance.none': 'Keine Wartung geplant.',
  'overview.monitors': 'Ausgefallene Monitore',
  'overview.monitors.none': 'Alle Monitore sind erreichbar.',
  'overview.since': 'seit {time}',
  'overview.window': '{from} – {until}',
  'overview.new_incident': 'Neue Störung',
  'overview.new_maintenance': 'Wartung planen',
});

export default function Overview(_props: Record<string, string>) {
  const comps = useResource<Component[]>('/api/v1/components', ['page']);
  const incidents = useResource<Incident[]>(`/api/v1/incidents?status=${kOpenIncidentStatuses}&per_page=100`, ['page']);
  const maint = useResource<Incident[]>(`/api/v1/maintenances?status=${kOpenMaintenanceStatuses}&per_page=100`, ['page']);
  const monitors = useResource<Monitor[]>('/api/v1/monitors', ['monitors']);

  const broken = (comps.data ?? []).filter((c) => !c.group && c.status !== 'operational');
  const down = (monitors.data ?? []).filter((m) => m.enabled && m.state && m.state.status !== 'up');
  const windows = [...(maint.data ?? [])].sort((a, b) => (a.scheduled_for ?? '').localeCompare(b.scheduled_for ?? ''));
  const loaded = comps.data && incidents.data && maint.data;
  const allOk = loaded && broken.length === 0 && incidents.data!.length === 0 && down.length === 0;

  return (
    <div>
      <PageTitle title={t('overview.title')}>
        {can('responder') ? (
          <>
            <Link href="/incidents/new" class="btn btn-primary">
              {t('overview.new_incident')}
            </Link>
            <Link href="/maintenance?new=1" class="btn">
              {t('overview.new_maintenance')}
            </Link>
          </>
        ) : null}
      </PageTitle>
      {allOk ? (
        <div class="notice" role="status">
          {t('overview.all_ok')}
        </div>
      ) : null}
      <ErrorBox error={comps.error ?? incidents.error ?? maint.error} />
      <div class="cards">
        <section class="overview-components">
          <h2>{t('overview.components')}</h2>
          {!comps.data ? (
            <Loading />
          ) : broken.length === 0 ? (
            <Empty text={t('overview.components.ok')} />
          ) : (
            <ul class="list">
              {broken.map((c) => (
                <li key={c.id} data-id={c.id}>
                  <span class="grow">{c.name}</span>
                  <StatusBadge status={c.status} />
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="overview-monitors">
          <h2>{t('overview.monitors')}</h2>
          {!monitors.data && !monitors.error ? (
            <Loading />
          ) : down.length === 0 ? (
            <Empty text={t('overview.monitors.none')} />
          ) : (
            <ul class="list">
              {down.map((m) => (
                <li key={m.id} data-id={m.id}>
                  <span class="grow">
                    <Link href={`/monitors/${m.id}`}>{m.name}</Link>
                    <div class="meta">
                      {m.state.message}
                      {m.state.since ? ` · ${t('overview.since', { time: formatTime(m.state.since) })}` : ''}
                    </div>
                  </span>
                  <StatusBadge status={m.state.status} />
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section class="overview-incidents">
        <h2>{t('overview.incidents')}</h2>
        {!incidents.data ? (
          <Loading />
        ) : incidents.data.length === 0 ? (
          <Empty text={t('overview.incidents.none')} />
        ) : (
          <IncidentRows list={incidents.data} />
        )}
      </section>
      <section class="overview-maintenance">
        <h2>{t('overview.maintenance')}</h2>
        {!maint.data ? (
          <Loading />
        ) : windows.length === 0 ? (
          <Empty text={t('overview.maintenance.none')} />
        ) : (
          <ul class="list">
            {windows.map((m) => (
              <li key={m.id} data-id={m.id}>
                <span class="grow">
                  <Link href={`/maintenance/${m.id}`}>{m.name}</Link>
                  <div class="meta">
                    {t('overview.window', { from: formatTime(m.scheduled_for ?? ''), until: formatTime(m.scheduled_until ?? '') })}
                  </div>
                </span>
                <StatusBadge status={m.status} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
