// Pieces shared by the incident and maintenance screens: template picker, per-component status
// picker, Markdown and e-mail preview, timeline.
import { useState } from 'preact/hooks';
import { api } from './api';
import { addMessages, formatTime, t } from './i18n';
import { useResource } from './resource';
import type { Component, ComponentStatus, IncidentUpdate, Preview, Template } from './types';
import { kComponentStatuses } from './types';
import { Button, ErrorBox, Field, StatusBadge } from './ui';

addMessages('en', {
  'parts.template': 'Template',
  'parts.template.none': '— no template —',
  'parts.components': 'Affected components',
  'parts.components.none': 'No components yet.',
  'parts.unaffected': 'Not affected',
  'parts.unchanged': 'Unchanged ({status})',
  'parts.preview': 'Preview',
  'parts.preview.page': 'On the status page',
  'parts.preview.email': 'E-mail to subscribers',
  'parts.preview.chat': 'Chat message',
  'parts.preview.subject': 'Subject',
  'parts.preview.hide': 'Hide preview',
  'parts.timeline': 'Timeline',
  'parts.notify': 'Notify subscribers',
  'parts.group': 'in {group}',
});
addMessages('de', {
  'parts.template': 'Vorlage',
  'parts.template.none': '— keine Vorlage —',
  'parts.components': 'Betroffene Komponenten',
  'parts.components.none': 'Noch keine Komponenten.',
  'parts.unaffected': 'Nicht betroffen',
  'parts.unchanged': 'Unverändert ({status})',
  'parts.preview': 'Vorschau',
  'parts.preview.page': 'Auf der Statusseite',
  'parts.preview.email': 'E-Mail an Abonnenten',
  'parts.preview.chat': 'Chat-Nachricht',
  'parts.preview.subject': 'Betreff',
  'parts.preview.hide': 'Vorschau schließen',
  'parts.timeline': 'Verlauf',
  'parts.notify': 'Abonnenten benachrichtigen',
  'parts.group': 'in {group}',
});

/** Select of the templates of one kind; calls onPick with the chosen template. */
export function TemplatePicker(props: { id: string; kind: 'incident' | 'maintenance'; onPick: (t: Template) => void }) {
  const res = useResource<{ data: Template[] }>('/api/v1/templates', ['templates']);
  const list = (res.data?.data ?? []).filter((x) => x.kind === props.kind);
  const [value, setValue] = useState('');
  return (
    <Field id={props.id} label={t('parts.template')}>
      <select
        id={props.id}
        value={value}
        onChange={(e) => {
          const id = e.currentTarget.value;
          setValue(id);
          const tpl = list.find((x) => x.id === id);
          if (tpl) props.onPick(tpl);
        }}
      >
        <option value="">{t('parts.template.none')}</option>
        {list.map((x) => (
          <option key={x.id} value={x.id}>
            {x.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Leaf components (not groups), with their group's name when they have one. */
export function leafComponents(all: Component[]): { c: Component; group?: string }[] {
  const groups = new Map(all.filter((c) => c.group).map((c) => [c.id, c.name]));
  return all.filter((c) => !c.group).map((c) => ({ c, group: c.group_id ? groups.get(c.group_id) : undefined }));
}

/**
 * One select per component: "" means not affected (or unchanged), else the status to set.
 * `mode` 'unchanged' labels the empty choice with the current status.
 */
export function ComponentStatusPicker(props: {
  idPrefix: string;
  components: Component[];
  value: Record<string, ComponentStatus>;
  onChange: (v: Record<string, ComponentStatus>) => void;
  mode?: 'new' | 'unchanged';
  legend?: string;
}) {
  const leaves = leafComponents(props.components);
  return (
    <fieldset class="component-picker">
      <legend>{props.legend ?? t('parts.components')}</legend>
      {leaves.length === 0 ? <p class="muted">{t('parts.components.none')}</p> : null}
      <div class="form-grid">
        {leaves.map(({ c, group }) => {
          const id = `${props.idPrefix}-${c.id}`;
          return (
            <Field key={c.id} id={id} label={c.name} hint={group ? t('parts.group', { group }) : undefined}>
              <select
                id={id}
                data-component={c.id}
                value={props.value[c.id] ?? ''}
                onChange={(e) => {
                  const v = e.currentTarget.value as ComponentStatus | '';
                  const next = { ...props.value };
                  if (v) next[c.id] = v;
                  else delete next[c.id];
                  props.onChange(next);
                }}
              >
                <option value="">{props.mode === 'unchanged' ? t('parts.unchanged', { status: t(`status.${c.status}`) }) : t('parts.unaffected')}</option>
                {kComponentStatuses.map((s) => (
                  <option key={s} value={s}>
                    {t(`status.${s}`)}
                  </option>
                ))}
              </select>
            </Field>
          );
        })}
      </div>
    </fieldset>
  );
}

export interface PreviewInput {
  kind: 'incident' | 'maintenance';
  title: string;
  status: string;
  body: string;
  impact?: string;
  components?: { id: string; status: string }[];
  incident_id?: string;
}

/** A "Preview" button that shows the rendered Markdown, the subscriber e-mail and the chat text. */
export function PreviewPanel(props: { input: () => PreviewInput }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [mailLang, setMailLang] = useState<'en' | 'de'>('en');

  async function load() {
    setBusy(true);
    setError(undefined);
    try {
      setPreview(await api<Preview>('POST', '/api/v1/preview', props.input()));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const mail = preview?.email?.[mailLang] ?? preview?.email?.en;
  return (
    <div class="preview">
      <div class="row">
        <Button onClick={() => void load()} busy={busy}>
          {t('parts.preview')}
        </Button>
        {preview ? (
          <Button kind="link" onClick={() => setPreview(null)}>
            {t('parts.preview.hide')}
          </Button>
        ) : null}
      </div>
      <ErrorBox error={error} />
      {preview ? (
        <div class="panel" data-testid="preview">
          <h3>{t('parts.preview.page')}</h3>
          {/* Sanitised by the server exactly as the public page renders it. */}
          <div class="preview-frame markdown" dangerouslySetInnerHTML={{ __html: preview.body_html }} />
          {mail ? (
            <>
              <h3>{t('parts.preview.email')}</h3>
              <div class="tabs" role="tablist">
                {(['en', 'de'] as const)
                  .filter((l) => preview.email?.[l])
                  .map((l) => (
                    <button type="button" key={l} role="tab" aria-selected={mailLang === l ? 'true' : 'false'} class={mailLang === l ? 'active' : ''} onClick={() => setMailLang(l)}>
                      {l === 'en' ? 'English' : 'Deutsch'}
                    </button>
                  ))}
              </div>
              <div class="preview-frame">
                <p>
                  <strong>{t('parts.preview.subject')}:</strong> <span data-testid="preview-subject">{mail.subject}</span>
                </p>
                <pre>{mail.text}</pre>
              </div>
            </>
          ) : null}
          {preview.chat?.en ? (
            <>
              <h3>{t('parts.preview.chat')}</h3>
              <div class="preview-frame">
                <pre>{preview.chat.en}</pre>
              </div>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** Updates, newest first, with their status, time, text and component changes. */
export function Timeline(props: { updates: IncidentUpdate[] }) {
  return (
    <section>
      <h2>{t('parts.timeline')}</h2>
      <ol class="timeline">
        {props.updates.map((u) => (
          <li key={u.id} data-id={u.id}>
            <div class="row">
              <StatusBadge status={u.status} />
              <span class="meta">{formatTime(u.display_at || u.created_at)}</span>
            </div>
            <div class="update-body">{u.body}</div>
            {u.affected_components && u.affected_components.length > 0 ? (
              <ul class="meta">
                {u.affected_components.map((a) => (
                  <li key={a.code}>
                    {a.name}: {t(`status.${a.old_status}`)} → {t(`status.${a.new_status}`)}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function NotifyCheckbox(props: { id: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div class="field field-inline">
      <input id={props.id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      <label for={props.id}>{t('parts.notify')}</label>
    </div>
  );
}
