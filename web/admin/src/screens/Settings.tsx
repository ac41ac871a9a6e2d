// Page settings and branding: name, URL, time zone, default language, accent colour (with a
// live swatch), footer links, frame ancestors; logo upload and delete.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { addMessages, formatTime, t } from '../i18n';
import { useResource } from '../resource';
import { can } from '../session';
import { Button, ErrorBox, Field, Loading, PageTitle } from '../ui';
import { sendRaw } from './Subscribers/raw';
import './settings.css';

addMessages('en', {
  'settings.title': 'Settings',
  'settings.page': 'Status page',
  'settings.name': 'Page name',
  'settings.url': 'Public URL',
  'settings.urlHint': 'Where the page is reached, e.g. https://status.example.com (used in e-mails and links)',
  'settings.timeZone': 'Time zone',
  'settings.timeZoneHint': 'IANA name, e.g. Europe/Berlin',
  'settings.language': 'Default language',
  'settings.accent': 'Accent colour',
  'settings.accentHint': 'A hex colour such as #2457c5',
  'settings.preview': 'Preview',
  'settings.previewButton': 'Subscribe to updates',
  'settings.footer': 'Footer links',
  'settings.footerLabel': 'Label of link {n}',
  'settings.footerUrl': 'URL of link {n}',
  'settings.footerAdd': 'Add link',
  'settings.footerRemove': 'Remove link {n}',
  'settings.frames': 'Frame ancestors',
  'settings.framesHint': 'Origins allowed to embed the page in a frame, one per line (e.g. https://intranet.example.com). Empty: none.',
  'settings.save': 'Save settings',
  'settings.saved': 'Saved.',
  'settings.updated': 'Last changed {time}',
  'settings.readOnly': 'Only owners can change the settings.',
  'settings.logo': 'Logo',
  'settings.logoNone': 'No logo; the page shows its name.',
  'settings.logoFile': 'Logo file (PNG, JPEG, WebP or SVG, at most 512 KiB)',
  'settings.logoUpload': 'Upload logo',
  'settings.logoDelete': 'Remove logo',
  'settings.logoDeleteConfirm': 'Remove the logo?',
  'settings.logoAlt': 'Current logo',
  'settings.chooseFile': 'Choose a file first.',
  'settings.unsaved': 'Unsaved changes',
});
addMessages('de', {
  'settings.title': 'Einstellungen',
  'settings.page': 'Statusseite',
  'settings.name': 'Name der Seite',
  'settings.url': 'Öffentliche URL',
  'settings.urlHint': 'Unter der die Seite erreichbar ist, z. B. https://status.example.com (für E-Mails und Links)',
  'settings.timeZone': 'Zeitzone',
  'settings.timeZoneHint': 'IANA-Name, z. B. Europe/Berlin',
  'settings.language': 'Standardsprache',
  'settings.accent': 'Akzentfarbe',
  'settings.accentHint': 'Eine Hex-Farbe wie #2457c5',
  'settings.preview': 'Vorschau',
  'settings.previewButton': 'Updates abonnieren',
  'settings.footer': 'Links in der Fußzeile',
  'settings.footerLabel': 'Text von Link {n}',
  'settings.footerUrl': 'URL von Link {n}',
  'settings.footerAdd': 'Link hinzufügen',
  'settings.footerRemove': 'Link {n} entfernen',
  'settings.frames': 'Erlaubte Einbettung (frame-ancestors)',
  'settings.framesHint': 'Origins, die die Seite in einem Frame einbetten dürfen, eine pro Zeile (z. B. https://intranet.example.com). Leer: keine.',
  'settings.save': 'Einstellungen speichern',
  'settings.saved': 'Gespeichert.',
  'settings.updated': 'Zuletzt geändert {time}',
  'settings.readOnly': 'Nur Inhaber können die Einstellungen ändern.',
  'settings.logo': 'Logo',
  'settings.logoNone': 'Kein Logo; die Seite zeigt ihren Namen.',
  'settings.logoFile': 'Logo-Datei (PNG, JPEG, WebP oder SVG, höchstens 512 KiB)',
  'settings.logoUpload': 'Logo hochladen',
  'settings.logoDelete': 'Logo entfernen',
  'settings.logoDeleteConfirm': 'Das Logo entfernen?',
  'settings.logoAlt': 'Aktuelles Logo',
  'settings.chooseFile': 'Bitte zuerst eine Datei wählen.',
  'settings.unsaved': 'Ungespeicherte Änderungen',
});

interface PageSettings {
  id: string;
  name: string;
  url: string;
  time_zone: string;
  default_language: string;
  accent_color: string;
  footer_links: { label: string; url: string }[];
  frame_ancestors: string[];
  has_logo: boolean;
  updated_at: string;
}

interface Draft {
  name: string;
  url: string;
  time_zone: string;
  default_language: string;
  accent_color: string;
  footer_links: { label: string; url: string }[];
  frame_ancestors: string;
}

function draftOf(s: PageSettings): Draft {
  return {
    name: s.name,
    url: s.url,
    time_zone: s.time_zone,
    default_language: s.default_language,
    accent_color: s.accent_color,
    footer_links: s.footer_links.map((l) => ({ ...l })),
    frame_ancestors: s.frame_ancestors.join('\n'),
  };
}

const kHex = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  } catch {
    return [];
  }
}

/** A swatch and a tiny mock of the page header in the chosen colour (set as a style property). */
function AccentPreview(props: { color: string; name: string }) {
  const valid = kHex.test(props.color);
  const swatch = useRef<HTMLSpanElement>(null);
  const button = useRef<HTMLSpanElement>(null);
  const bar = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const c = valid ? props.color : '';
    if (swatch.current) swatch.current.style.background = c;  // the shorthand also drops the 'no colour' stripes
    if (button.current) button.current.style.backgroundColor = c;
    if (bar.current) bar.current.style.borderTopColor = c;
  }, [props.color, valid]);
  return (
    <div class="accent-preview" aria-label={t('settings.preview')}>
      <span ref={swatch} class="swatch" data-color={valid ? props.color : ''} />
      <div ref={bar} class="mock-page">
        <strong>{props.name}</strong>
        <span ref={button} class="mock-button">
          {t('settings.previewButton')}
        </span>
      </div>
    </div>
  );
}

function Logo(props: { settings: PageSettings; onChange: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const upload = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (!file) {
      setError(new Error(t('settings.chooseFile')));
      return;
    }
    setBusy(true);
    try {
      // The server checks the type; an unknown one is refused with its message.
      await sendRaw('PUT', '/api/v1/page/logo', file.type || 'application/octet-stream', file);
      props.onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!window.confirm(t('settings.logoDeleteConfirm'))) return;
    setError(undefined);
    try {
      await api('DELETE', '/api/v1/page/logo');
      props.onChange();
    } catch (err) {
      setError(err);
    }
  };
  const s = props.settings;
  return (
    <section class="panel">
      <h2>{t('settings.logo')}</h2>
      {s.has_logo ? (
        <img class="logo-preview" src={`/assets/logo?v=${encodeURIComponent(s.updated_at)}`} alt={t('settings.logoAlt')} />
      ) : (
        <p class="muted">{t('settings.logoNone')}</p>
      )}
      <form onSubmit={upload}>
        <Field id="settings-logo-file" label={t('settings.logoFile')}>
          <input
            id="settings-logo-file"
            type="file"
            accept="image/png,image/jpeg,image/webp,image/svg+xml"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </Field>
        <ErrorBox error={error} />
        <div class="form-actions">
          <Button kind="primary" type="submit" busy={busy}>
            {t('settings.logoUpload')}
          </Button>
          {s.has_logo ? (
            <Button kind="danger" onClick={() => void remove()}>
              {t('settings.logoDelete')}
            </Button>
          ) : null}
        </div>
      </form>
    </section>
  );
}

export default function Settings(_props: Record<string, string>) {
  const res = useResource<PageSettings>('/api/v1/page', ['page']);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const mayEdit = can('owner');
  const zones = useRef<string[]>(timeZones());

  // A live refetch replaces the form only while the user has not changed anything.
  useEffect(() => {
    if (res.data && !dirty) setDraft(draftOf(res.data));
  }, [res.data]);

  if (!draft || !res.data) {
    return (
      <div class="screen-settings">
        <PageTitle title={t('settings.title')} />
        <ErrorBox error={res.error} />
        {!res.error ? <Loading /> : null}
      </div>
    );
  }
  const d = draft;
  const set = (patch: Partial<Draft>) => {
    setDraft({ ...d, ...patch });
    setDirty(true);
    setSaved(false);
  };
  const apiField = error instanceof ApiError ? error.field ?? '' : '';
  const fieldError = (key: string) =>
    apiField === key || apiField.startsWith(`${key}[`) ? (error as ApiError).message : undefined;
  const setLink = (i: number, patch: Partial<{ label: string; url: string }>) =>
    set({ footer_links: d.footer_links.map((l, j) => (j === i ? { ...l, ...patch } : l)) });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      const body = {
        name: d.name,
        url: d.url,
        time_zone: d.time_zone,
        default_language: d.default_language,
        accent_color: d.accent_color,
        footer_links: d.footer_links.filter((l) => l.label.trim() !== '' || l.url.trim() !== ''),
        frame_ancestors: d.frame_ancestors
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
      };
      const s = await api<PageSettings>('PATCH', '/api/v1/page', body);
      setDirty(false);
      setDraft(draftOf(s));
      setSaved(true);
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="screen-settings">
      <PageTitle title={t('settings.title')} />
      {!mayEdit ? <p class="hint">{t('settings.readOnly')}</p> : null}
      <form onSubmit={submit} class="panel">
        <h2>{t('settings.page')}</h2>
        <fieldset disabled={!mayEdit} class="plain">
          <div class="form-grid">
            <Field id="settings-name" label={t('settings.name')} error={fieldError('name')}>
              <input id="settings-name" type="text" required maxLength={200} value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} />
            </Field>
            <Field id="settings-url" label={t('settings.url')} hint={t('settings.urlHint')} error={fieldError('url')}>
              <input id="settings-url" type="url" maxLength={500} value={d.url} onInput={(e) => set({ url: e.currentTarget.value })} />
            </Field>
            <Field id="settings-time-zone" label={t('settings.timeZone')} hint={t('settings.timeZoneHint')} error={fieldError('time_zone')}>
              <input
                id="settings-time-zone"
                type="text"
                list="settings-time-zones"
                maxLength={64}
                value={d.time_zone}
                onInput={(e) => set({ time_zone: e.currentTarget.value })}
              />
              <datalist id="settings-time-zones">
                {zones.current.map((z) => (
                  <option value={z} />
                ))}
              </datalist>
            </Field>
            <Field id="settings-language" label={t('settings.language')}>
              <select id="settings-language" value={d.default_language} onChange={(e) => set({ default_language: e.currentTarget.value })}>
                <option value="en">English</option>
                <option value="de">Deutsch</option>
              </select>
            </Field>
          </div>
          <div class="accent-row">
            <Field id="settings-accent" label={t('settings.accent')} hint={t('settings.accentHint')} error={fieldError('accent_color')}>
              <div class="row">
                <input
                  id="settings-accent"
                  type="text"
                  maxLength={16}
                  value={d.accent_color}
                  onInput={(e) => set({ accent_color: e.currentTarget.value })}
                />
                <input
                  type="color"
                  aria-label={t('settings.accent')}
                  value={kHex.test(d.accent_color) && d.accent_color.length === 7 ? d.accent_color : '#000000'}
                  onInput={(e) => set({ accent_color: e.currentTarget.value })}
                />
              </div>
            </Field>
            <AccentPreview color={d.accent_color} name={d.name} />
          </div>
          <fieldset>
            <legend>{t('settings.footer')}</legend>
            {d.footer_links.map((l, i) => (
              <div class="footer-link" data-id={String(i)}>
                <Field id={`settings-footer-label-${i}`} label={t('settings.footerLabel', { n: i + 1 })}>
                  <input
                    id={`settings-footer-label-${i}`}
                    type="text"
                    maxLength={100}
                    value={l.label}
                    onInput={(e) => setLink(i, { label: e.currentTarget.value })}
                  />
                </Field>
                <Field id={`settings-footer-url-${i}`} label={t('settings.footerUrl', { n: i + 1 })}>
                  <input
                    id={`settings-footer-url-${i}`}
                    type="text"
                    maxLength={500}
                    value={l.url}
                    onInput={(e) => setLink(i, { url: e.currentTarget.value })}
                  />
                </Field>
                <Button class="btn-small" onClick={() => set({ footer_links: d.footer_links.filter((_, j) => j !== i) })}>
                  {t('settings.footerRemove', { n: i + 1 })}
                </Button>
              </div>
            ))}
            <Button class="btn-small" onClick={() => set({ footer_links: [...d.footer_links, { label: '', url: '' }] })}>
              {t('settings.footerAdd')}
            </Button>
          </fieldset>
          <Field id="settings-frames" label={t('settings.frames')} hint={t('settings.framesHint')} error={fieldError('frame_ancestors')}>
            <textarea id="settings-frames" value={d.frame_ancestors} onInput={(e) => set({ frame_ancestors: e.currentTarget.value })} />
          </Field>
        </fieldset>
        <ErrorBox error={error} />
        {saved ? (
          <p class="notice" role="status">
            {t('settings.saved')}
          </p>
        ) : null}
        {mayEdit ? (
          <div class="form-actions">
            <Button kind="primary" type="submit" busy={busy}>
              {t('settings.save')}
            </Button>
            {dirty ? <span class="muted">{t('settings.unsaved')}</span> : null}
          </div>
        ) : null}
        <p class="hint">{t('settings.updated', { time: formatTime(res.data.updated_at) })}</p>
      </form>
      {mayEdit ? <Logo settings={res.data} onChange={res.reload} /> : null}
    </div>
  );
}
