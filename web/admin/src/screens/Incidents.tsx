// Incidents: open ones and resolved ones, newest first.
import { useState } from 'preact/hooks';
import { addMessages, formatTime, t } from '../i18n';
import { useResource } from '../resource';
import { can } from '../session';
import type { Incident } from '../types';
import { kOpenIncidentStatuses } from '../types';
import { Button, Empty, ErrorBox, Link, Loading, PageTitle, StatusBadge } from '../ui';

addMessages('en', {
  'incidents.title': 'Incidents',
  'incidents.open': 'Open',
  'incidents.resolved': 'Resolved',
  'incidents.none_open': 'No open incidents.',
  'incidents.none_resolved': 'No resolved incidents yet.',
  'incidents.new': 'New incident',
  'incidents.started': 'started {time}',
  'incidents.newer': 'Newer',
  'incidents.older': 'Older',
});
addMessages('de', {
  'incidents.title': 'Störungen',
  'incidents.open': 'Offen',
  'incidents.resolved': 'Behoben',
  'incidents.none_open': 'Keine offenen Störungen.',
  'incidents.none_resolved': 'Noch keine behobenen Störungen.',
  'incidents.new': 'Neue Störung',
  'incidents.started': 'seit {time}',
  'incidents.newer': 'Neuere',
  'incidents.older': 'Ältere',
});

const kPerPage = 25;

export function IncidentRows(props: { list: Incident[]; base?: string }) {
  const base = props.base ?? '/incidents';
  return (
    <ul class="list incidents">
      {props.list.map((i) => (
        <li key={i.id} data-id={i.id}>
          <span class="grow">
            <Link href={`${base}/${i.id}`}>{i.name}</Link>
            <div class="meta">
              {t('incidents.started', { time: formatTime(i.scheduled_for || i.started_at) })}
              {i.components.length > 0 ? ` · ${i.components.map((c) => c.name).join(', ')}` : ''}
            </div>
          </span>
          <StatusBadge status={i.impact} impact />
          <StatusBadge status={i.status} />
        </li>
      ))}
    </ul>
  );
}

export default function Incidents(_props: Record<string, string>) {
  const [tab, setTab] = useState<'open' | 'resolved'>('open');
  const [pageNo, setPageNo] = useState(1);
  const path =
    tab === 'open'
      ? `/api/v1/incidents?status=${kOpenIncidentStatuses}&per_page=100`
      : `/api/v1/incidents?status=resolved,postmortem&per_page=${kPerPage}&page=${pageNo}`;
  const res = useResource<Incident[]>(path, ['page']);
  return (
    <div>
      <PageTitle title={t('incidents.title')}>
        {can('responder') ? (
          <Link href="/incidents/new" class="btn btn-primary">
            {t('incidents.new')}
          </Link>
        ) : null}
      </PageTitle>
      <div class="tabs" role="tablist">
        {(['open', 'resolved'] as const).map((k) => (
          <button type="button" key={k} role="tab" aria-selected={tab === k ? 'true' : 'false'} class={tab === k ? 'active' : ''} onClick={() => {
              setTab(k);
              setPageNo(1);
            }}>
            {t(`incidents.${k}`)}
          </button>
        ))}
      </div>
      <ErrorBox error={res.error} />
      {res.data === undefined ? (
        <Loading />
      ) : res.data.length === 0 ? (
        <Empty text={t(tab === 'open' ? 'incidents.none_open' : 'incidents.none_resolved')} />
      ) : (
        <IncidentRows list={res.data} />
      )}
      {tab === 'resolved' && (pageNo > 1 || (res.data?.length ?? 0) >= kPerPage) ? (
        <div class="form-actions">
          <Button disabled={pageNo <= 1} onClick={() => setPageNo(pageNo - 1)}>
            ‹ {t('incidents.newer')}
          </Button>
          <Button disabled={(res.data?.length ?? 0) < kPerPage} onClick={() => setPageNo(pageNo + 1)}>
            {t('incidents.older')} ›
          </Button>
        </div>
      ) : null}
    </div>
  );
}
