// One incident: status, affected components, timeline; post an update, resolve, delete.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, formatTime, t } from '../i18n';
import { ComponentStatusPicker, NotifyCheckbox, PreviewPanel, TemplatePicker, Timeline } from '../parts';
import { useResource } from '../resource';
import { navigate } from '../router';
import { can } from '../session';
import type { Component, ComponentStatus, Incident } from '../types';
import { kIncidentStatuses } from '../types';
import { Button, Dialog, ErrorBox, Field, Link, Loading, PageTitle, StatusBadge } from '../ui';

addMessages('en', {
  'detail.started': 'Started {time}',
  'detail.resolved_at': 'Resolved {time}',
  'detail.automated': 'Opened by a monitor',
  'detail.components': 'Components',
  'detail.update': 'Post an update',
  'detail.update.submit': 'Post update',
  'detail.resolve': 'Resolve',
  'detail.resolve.title': 'Resolve incident',
  'detail.resolve.body': 'This incident has been resolved.',
  'detail.resolve.submit': 'Resolve incident',
  'detail.resolve.hint': 'Affected components go back to operational.',
  'detail.delete': 'Delete',
  'detail.delete.confirm': 'Delete this incident and its updates? Subscribers are not told.',
  'detail.message': 'Message',
  'detail.status': 'Status',
  'detail.component_statuses': 'Component statuses',
  'detail.public': 'Public page',
});
addMessages('de', {
  'detail.started': 'Begonnen {time}',
  'detail.resolved_at': 'Behoben {time}',
  'detail.automated': 'Von einem Monitor eröffnet',
  'detail.components': 'Komponenten',
  'detail.update': 'Neue Meldung',
  'detail.update.submit': 'Meldung veröffentlichen',
  'detail.resolve': 'Beheben',
  'detail.resolve.title': 'Störung beheben',
  'detail.resolve.body': 'Die Störung ist behoben.',
  'detail.resolve.submit': 'Störung beheben',
  'detail.resolve.hint': 'Betroffene Komponenten gehen zurück auf „Betriebsbereit“.',
  'detail.delete': 'Löschen',
  'detail.delete.confirm': 'Diese Störung mit allen Meldungen löschen? Abonnenten werden nicht informiert.',
  'detail.message': 'Nachricht',
  'detail.status': 'Status',
  'detail.component_statuses': 'Status der Komponenten',
  'detail.public': 'Öffentliche Seite',
});

function UpdateForm(props: { incident: Incident; components: Component[]; onDone: () => void }) {
  const inc = props.incident;
  const [status, setStatus] = useState(inc.status === 'resolved' || inc.status === 'postmortem' ? 'monitoring' : inc.status);
  const [body, setBody] = useState('');
  const [changes, setChanges] = useState<Record<string, ComponentStatus>>({});
  const [notify, setNotify] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/api/v1/incidents/${inc.id}/updates`, { status, body, components: changes, deliver_notifications: notify });
      setBody('');
      setChanges({});
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel update-form" onSubmit={submit} noValidate>
      <h2>{t('detail.update')}</h2>
      <TemplatePicker
        id="update-template"
        kind="incident"
        onPick={(tpl) => {
          if (tpl.status) setStatus(tpl.status);
          setBody(tpl.body);
        }}
      />
      <Field id="update-status" label={t('detail.status')}>
        <select id="update-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          {kIncidentStatuses.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="update-body" label={t('detail.message')}>
        <textarea id="update-body" value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </Field>
      <ComponentStatusPicker
        idPrefix="update-comp"
        legend={t('detail.component_statuses')}
        mode="unchanged"
        components={props.components}
        value={changes}
        onChange={setChanges}
      />
      <NotifyCheckbox id="update-notify" checked={notify} onChange={setNotify} />
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {t('detail.update.submit')}
        </Button>
      </div>
      <PreviewPanel
        input={() => ({
          kind: 'incident',
          title: inc.name,
          status,
          body,
          incident_id: inc.id,
          components: Object.entries(changes).map(([id, s]) => ({ id, status: s })),
        })}
      />
    </form>
  );
}

function ResolveDialog(props: { incident: Incident; open: boolean; onClose: () => void; onDone: () => void }) {
  const [body, setBody] = useState(t('detail.resolve.body'));
  const [notify, setNotify] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/api/v1/incidents/${props.incident.id}/updates`, { status: 'resolved', body, deliver_notifications: notify });
      props.onDone();
      props.onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog open={props.open} title={t('detail.resolve.title')} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <Field id="resolve-body" label={t('detail.message')} hint={t('detail.resolve.hint')}>
          <textarea id="resolve-body" value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </Field>
        <NotifyCheckbox id="resolve-notify" checked={notify} onChange={setNotify} />
        <ErrorBox error={error} />
        <div class="form-actions">
          <Button kind="primary" type="submit" busy={busy}>
            {t('detail.resolve.submit')}
          </Button>
          <Button onClick={props.onClose}>{t('ui.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

export default function IncidentDetail(props: { id?: string }) {
  const res = useResource<Incident>(`/api/v1/incidents/${encodeURIComponent(props.id ?? '')}`, ['page']);
  const comps = useResource<Component[]>('/api/v1/components', ['page']);
  const [resolving, setResolving] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const inc = res.data;
  if (res.error && !inc) return <ErrorBox error={res.error} />;
  if (!inc) return <Loading />;
  const closed = inc.status === 'resolved' || inc.status === 'postmortem';
  const current = new Map((comps.data ?? []).map((c) => [c.id, c]));

  async function remove() {
    if (!window.confirm(t('detail.delete.confirm'))) return;
    try {
      await api('DELETE', `/api/v1/incidents/${inc!.id}`);
      navigate('/incidents');
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div class="incident-detail" data-id={inc.id}>
      <PageTitle title={inc.name}>
        {can('responder') && !closed ? (
          <Button kind="primary" onClick={() => setResolving(true)}>
            {t('detail.resolve')}
          </Button>
        ) : null}
        {can('responder') ? (
          <Button kind="danger" onClick={() => void remove()}>
            {t('detail.delete')}
          </Button>
        ) : null}
      </PageTitle>
      <ErrorBox error={error} />
      <div class="panel">
        <div class="row">
          <StatusBadge status={inc.status} />
          <StatusBadge status={inc.impact} impact />
          <span class="meta muted">{t('detail.started', { time: formatTime(inc.started_at) })}</span>
          {inc.resolved_at ? <span class="meta muted">{t('detail.resolved_at', { time: formatTime(inc.resolved_at) })}</span> : null}
          {inc.automated ? <span class="meta muted">{t('detail.automated')}</span> : null}
          <a href={`/incidents/${encodeURIComponent(inc.id)}`} target="_blank" rel="noopener noreferrer">
            {t('detail.public')} ↗
          </a>
        </div>
        {inc.components.length > 0 ? (
          <>
            <h2>{t('detail.components')}</h2>
            <ul class="list affected">
              {inc.components.map((c) => {
                const now = current.get(c.id) ?? c;
                return (
                  <li key={c.id} data-id={c.id}>
                    <span class="grow">{now.name}</span>
                    <StatusBadge status={now.status} />
                  </li>
                );
              })}
            </ul>
          </>
        ) : null}
      </div>
      {can('responder') && comps.data ? <UpdateForm key={inc.id} incident={inc} components={comps.data} onDone={res.reload} /> : null}
      <Timeline updates={inc.incident_updates} />
      <p>
        <Link href="/incidents">{t('incident.back')}</Link>
      </p>
      {resolving ? <ResolveDialog incident={inc} open={resolving} onClose={() => setResolving(false)} onDone={res.reload} /> : null}
    </div>
  );
}
