// A new incident in one form: title, status, impact, message (from a template), affected
// components each with its status, notify subscribers; with a preview.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, t } from '../i18n';
import { ComponentStatusPicker, NotifyCheckbox, PreviewPanel, TemplatePicker } from '../parts';
import { useResource } from '../resource';
import { navigate } from '../router';
import { can } from '../session';
import type { Component, ComponentStatus, Incident } from '../types';
import { kImpacts, kIncidentStatuses } from '../types';
import { Button, ErrorBox, Field, Link, Loading, PageTitle } from '../ui';

addMessages('en', {
  'incident.new': 'New incident',
  'incident.title': 'Title',
  'incident.status': 'Status',
  'incident.impact': 'Impact',
  'incident.impact.auto': 'From the components (automatic)',
  'incident.message': 'Message',
  'incident.message.hint': 'Markdown. Shown on the status page and sent to subscribers.',
  'incident.create': 'Create incident',
  'incident.back': 'Back to incidents',
});
addMessages('de', {
  'incident.new': 'Neue Störung',
  'incident.title': 'Titel',
  'incident.status': 'Status',
  'incident.impact': 'Auswirkung',
  'incident.impact.auto': 'Aus den Komponenten (automatisch)',
  'incident.message': 'Nachricht',
  'incident.message.hint': 'Markdown. Erscheint auf der Statusseite und geht an Abonnenten.',
  'incident.create': 'Störung anlegen',
  'incident.back': 'Zurück zu den Störungen',
});

export default function IncidentForm(_props: Record<string, string>) {
  const comps = useResource<Component[]>('/api/v1/components', ['page']);
  const [name, setName] = useState('');
  const [status, setStatus] = useState<string>('investigating');
  const [impact, setImpact] = useState('');
  const [body, setBody] = useState('');
  const [affected, setAffected] = useState<Record<string, ComponentStatus>>({});
  const [notify, setNotify] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const payload: Record<string, unknown> = { name, status, body, components: affected, deliver_notifications: notify };
      if (impact) payload.impact_override = impact;
      const created = await api<Incident>('POST', '/api/v1/incidents', payload);
      navigate(`/incidents/${created.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!can('responder')) {
    return (
      <div>
        <PageTitle title={t('incident.new')} />
        <p class="muted">{t('ui.error.forbidden')}</p>
      </div>
    );
  }
  return (
    <div>
      <PageTitle title={t('incident.new')}>
        <Link href="/incidents" class="btn btn-link">
          {t('incident.back')}
        </Link>
      </PageTitle>
      <form class="panel incident-form" onSubmit={submit} noValidate>
        <TemplatePicker
          id="incident-template"
          kind="incident"
          onPick={(tpl) => {
            if (tpl.title) setName(tpl.title);
            if (tpl.status) setStatus(tpl.status);
            setBody(tpl.body);
          }}
        />
        <Field id="incident-name" label={t('incident.title')}>
          <input id="incident-name" type="text" maxLength={255} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <div class="form-grid">
          <Field id="incident-status" label={t('incident.status')}>
            <select id="incident-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              {kIncidentStatuses.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="incident-impact" label={t('incident.impact')}>
            <select id="incident-impact" value={impact} onChange={(e) => setImpact(e.currentTarget.value)}>
              <option value="">{t('incident.impact.auto')}</option>
              {kImpacts.map((s) => (
                <option key={s} value={s}>
                  {t(`impact.${s}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <Field id="incident-body" label={t('incident.message')} hint={t('incident.message.hint')}>
          <textarea id="incident-body" value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </Field>
        {comps.data ? (
          <ComponentStatusPicker idPrefix="incident-comp" components={comps.data} value={affected} onChange={setAffected} />
        ) : (
          <Loading />
        )}
        <NotifyCheckbox id="incident-notify" checked={notify} onChange={setNotify} />
        <ErrorBox error={error} />
        <div class="form-actions">
          <Button kind="primary" type="submit" busy={busy}>
            {t('incident.create')}
          </Button>
        </div>
        <PreviewPanel
          input={() => ({
            kind: 'incident',
            title: name,
            status,
            body,
            impact: impact || undefined,
            components: Object.entries(affected).map(([id, s]) => ({ id, status: s })),
          })}
        />
      </form>
    </div>
  );
}
