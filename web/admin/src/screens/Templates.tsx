// Message templates for incidents and maintenance: list, create, edit, delete.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, formatTime, t } from '../i18n';
import { useResource } from '../resource';
import { can } from '../session';
import type { Template } from '../types';
import { kIncidentStatuses, kMaintenanceStatuses } from '../types';
import { Button, Dialog, Empty, ErrorBox, Field, Loading, PageTitle, StatusBadge } from '../ui';

addMessages('en', {
  'templates.title': 'Templates',
  'templates.intro': 'Reusable texts for the incident and maintenance forms.',
  'templates.new': 'New template',
  'templates.edit': 'Edit template',
  'templates.kind': 'For',
  'templates.kind.incident': 'Incidents',
  'templates.kind.maintenance': 'Maintenance',
  'templates.name': 'Template name',
  'templates.incident_title': 'Title',
  'templates.status': 'Status',
  'templates.body': 'Message',
  'templates.none': 'No templates yet.',
  'templates.updated': 'changed {time}',
  'templates.delete.confirm': 'Delete the template “{name}”?',
});
addMessages('de', {
  'templates.title': 'Vorlagen',
  'templates.intro': 'Wiederverwendbare Texte für die Formulare von Störungen und Wartungen.',
  'templates.new': 'Neue Vorlage',
  'templates.edit': 'Vorlage bearbeiten',
  'templates.kind': 'Für',
  'templates.kind.incident': 'Störungen',
  'templates.kind.maintenance': 'Wartungen',
  'templates.name': 'Name der Vorlage',
  'templates.incident_title': 'Titel',
  'templates.status': 'Status',
  'templates.body': 'Nachricht',
  'templates.none': 'Noch keine Vorlagen.',
  'templates.updated': 'geändert {time}',
  'templates.delete.confirm': 'Die Vorlage „{name}“ löschen?',
});

type Draft = Omit<Template, 'id' | 'created_at' | 'updated_at'> & { id?: string };

function TemplateForm(props: { draft: Draft; onDone: () => void; onCancel: () => void }) {
  const [d, setD] = useState<Draft>(props.draft);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const statuses: readonly string[] = d.kind === 'incident' ? kIncidentStatuses : kMaintenanceStatuses;
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = { kind: d.kind, name: d.name, title: d.title, status: d.status, body: d.body };
    try {
      if (d.id) await api('PATCH', `/api/v1/templates/${d.id}`, body);
      else await api('POST', '/api/v1/templates', body);
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <div class="form-grid">
        <Field id="tpl-kind" label={t('templates.kind')}>
          <select
            id="tpl-kind"
            value={d.kind}
            onChange={(e) => {
              const kind = e.currentTarget.value as Draft['kind'];
              set({ kind, status: kind === 'incident' ? 'investigating' : 'scheduled' });
            }}
          >
            <option value="incident">{t('templates.kind.incident')}</option>
            <option value="maintenance">{t('templates.kind.maintenance')}</option>
          </select>
        </Field>
        <Field id="tpl-status" label={t('templates.status')}>
          <select id="tpl-status" value={d.status} onChange={(e) => set({ status: e.currentTarget.value })}>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field id="tpl-name" label={t('templates.name')}>
        <input id="tpl-name" type="text" value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} />
      </Field>
      <Field id="tpl-title" label={t('templates.incident_title')}>
        <input id="tpl-title" type="text" value={d.title} onInput={(e) => set({ title: e.currentTarget.value })} />
      </Field>
      <Field id="tpl-body" label={t('templates.body')}>
        <textarea id="tpl-body" value={d.body} onInput={(e) => set({ body: e.currentTarget.value })} />
      </Field>
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {t('ui.save')}
        </Button>
        <Button onClick={props.onCancel}>{t('ui.cancel')}</Button>
      </div>
    </form>
  );
}

export default function Templates(_props: Record<string, string>) {
  const res = useResource<{ data: Template[] }>('/api/v1/templates', ['templates']);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const list = res.data?.data ?? [];
  const writer = can('responder');

  async function remove(tpl: Template) {
    if (!window.confirm(t('templates.delete.confirm', { name: tpl.name }))) return;
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/templates/${tpl.id}`);
      res.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div>
      <PageTitle title={t('templates.title')}>
        {writer ? (
          <Button kind="primary" onClick={() => setDraft({ kind: 'incident', name: '', title: '', status: 'investigating', body: '' })}>
            {t('templates.new')}
          </Button>
        ) : null}
      </PageTitle>
      <p class="muted">{t('templates.intro')}</p>
      <ErrorBox error={error ?? res.error} />
      {res.data === undefined && !res.error ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty text={t('templates.none')} />
      ) : (
        <ul class="list templates">
          {list.map((tpl) => (
            <li key={tpl.id} data-id={tpl.id}>
              <span class="grow">
                <strong>{tpl.name}</strong>
                <div class="meta">
                  {t(`templates.kind.${tpl.kind}`)} · {tpl.title} · {t('templates.updated', { time: formatTime(tpl.updated_at) })}
                </div>
              </span>
              <StatusBadge status={tpl.status} />
              {writer ? (
                <>
                  <Button kind="link" onClick={() => setDraft({ ...tpl })}>
                    {t('ui.edit')}
                  </Button>
                  <Button kind="link" onClick={() => void remove(tpl)}>
                    {t('ui.delete')}
                  </Button>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {draft ? (
        <Dialog open wide title={draft.id ? t('templates.edit') : t('templates.new')} onClose={() => setDraft(null)}>
          <TemplateForm
            draft={draft}
            onCancel={() => setDraft(null)}
            onDone={() => {
              setDraft(null);
              res.reload();
            }}
          />
        </Dialog>
      ) : null}
    </div>
  );
}
