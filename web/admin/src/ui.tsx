// Small shared components: PageTitle, Button, Field, ErrorBox, Dialog, StatusBadge, Link,
// Loading, Empty. Texts used here (and status labels for every screen) are registered below.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from './api';
import { addMessages, t } from './i18n';
import { navigate, kBase } from './router';

export { navigate } from './router';

addMessages('en', {
  'ui.loading': 'Loading…',
  'ui.close': 'Close',
  'ui.cancel': 'Cancel',
  'ui.save': 'Save',
  'ui.delete': 'Delete',
  'ui.edit': 'Edit',
  'ui.empty': 'Nothing here yet.',
  'ui.error': 'Something went wrong.',
  'ui.error.network': 'The server cannot be reached. Check your connection and try again.',
  'ui.error.forbidden': 'Your role may not do this.',
  'ui.error.field': 'Field: {field}',
  'ui.confirm': 'Are you sure?',
  'status.operational': 'Operational',
  'status.degraded_performance': 'Degraded performance',
  'status.partial_outage': 'Partial outage',
  'status.major_outage': 'Major outage',
  'status.under_maintenance': 'Under maintenance',
  'status.investigating': 'Investigating',
  'status.identified': 'Identified',
  'status.monitoring': 'Monitoring',
  'status.resolved': 'Resolved',
  'status.postmortem': 'Postmortem',
  'status.scheduled': 'Scheduled',
  'status.in_progress': 'In progress',
  'status.verifying': 'Verifying',
  'status.completed': 'Completed',
  'status.cancelled': 'Cancelled',
  'status.up': 'Up',
  'status.down': 'Down',
  'status.degraded': 'Degraded',
  'status.unknown': 'Unknown',
  'status.paused': 'Paused',
  'impact.none': 'None',
  'impact.minor': 'Minor',
  'impact.major': 'Major',
  'impact.critical': 'Critical',
  'impact.maintenance': 'Maintenance',
});
addMessages('de', {
  'ui.loading': 'Wird geladen…',
  'ui.close': 'Schließen',
  'ui.cancel': 'Abbrechen',
  'ui.save': 'Speichern',
  'ui.delete': 'Löschen',
  'ui.edit': 'Bearbeiten',
  'ui.empty': 'Noch nichts vorhanden.',
  'ui.error': 'Etwas ist schiefgegangen.',
  'ui.error.network': 'Der Server ist nicht erreichbar. Bitte Verbindung prüfen und erneut versuchen.',
  'ui.error.forbidden': 'Ihre Rolle darf das nicht.',
  'ui.error.field': 'Feld: {field}',
  'ui.confirm': 'Sind Sie sicher?',
  'status.operational': 'Betriebsbereit',
  'status.degraded_performance': 'Eingeschränkte Leistung',
  'status.partial_outage': 'Teilweiser Ausfall',
  'status.major_outage': 'Schwerer Ausfall',
  'status.under_maintenance': 'In Wartung',
  'status.investigating': 'Wird untersucht',
  'status.identified': 'Ursache erkannt',
  'status.monitoring': 'Wird beobachtet',
  'status.resolved': 'Behoben',
  'status.postmortem': 'Nachbetrachtung',
  'status.scheduled': 'Geplant',
  'status.in_progress': 'Läuft',
  'status.verifying': 'Wird überprüft',
  'status.completed': 'Abgeschlossen',
  'status.cancelled': 'Abgesagt',
  'status.up': 'Erreichbar',
  'status.down': 'Ausgefallen',
  'status.degraded': 'Eingeschränkt',
  'status.unknown': 'Unbekannt',
  'status.paused': 'Pausiert',
  'impact.none': 'Keine',
  'impact.minor': 'Gering',
  'impact.major': 'Erheblich',
  'impact.critical': 'Kritisch',
  'impact.maintenance': 'Wartung',
});

export function PageTitle(props: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · tocsin`;
  }, [props.title]);
  return (
    <div class="page-title">
      <h1>{props.title}</h1>
      {props.children ? <div class="page-actions">{props.children}</div> : null}
    </div>
  );
}

type ButtonProps = JSX.HTMLAttributes<HTMLButtonElement> & {
  kind?: 'primary' | 'secondary' | 'danger' | 'link';
  busy?: boolean;
  type?: 'button' | 'submit' | 'reset';
  disabled?: boolean;
};

export function Button({ kind = 'secondary', busy, disabled, type = 'button', class: cls, children, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      class={`btn btn-${kind}${cls ? ` ${cls}` : ''}`}
      disabled={disabled || busy}
      aria-busy={busy ? 'true' : undefined}
    >
      {children}
    </button>
  );
}

/** A labelled form row; pass the control's id so <label for> points at it. */
export function Field(props: { id: string; label: string; hint?: string; error?: string; children: ComponentChildren; inline?: boolean }) {
  return (
    <div class={`field${props.inline ? ' field-inline' : ''}${props.error ? ' field-error' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint ? <div class="hint">{props.hint}</div> : null}
      {props.error ? <div class="error-text" role="alert">{props.error}</div> : null}
    </div>
  );
}

/** Turns an error (ApiError or anything) into a user-facing message. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('ui.error.network');
    if (error.status === 403 && error.type !== 'csrf') return t('ui.error.forbidden');
    return error.message || t('ui.error');
  }
  if (error instanceof Error) return error.message;
  return t('ui.error');
}

export function ErrorBox(props: { error: unknown }) {
  if (props.error === undefined || props.error === null) return null;
  const field = props.error instanceof ApiError ? props.error.field : undefined;
  return (
    <div class="error-box" role="alert">
      {errorMessage(props.error)}
      {field ? <span class="error-field"> ({t('ui.error.field', { field })})</span> : null}
    </div>
  );
}

export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} class={`dialog${props.wide ? ' dialog-wide' : ''}`} onClose={props.onClose} aria-label={props.title}>
      <div class="dialog-head">
        <h2>{props.title}</h2>
        <button type="button" class="btn btn-link dialog-close" onClick={props.onClose} aria-label={t('ui.close')}>
          ×
        </button>
      </div>
      {props.open ? <div class="dialog-body">{props.children}</div> : null}
    </dialog>
  );
}

const kTone: Record<string, string> = {
  operational: 'ok',
  up: 'ok',
  resolved: 'ok',
  completed: 'ok',
  postmortem: 'ok',
  degraded_performance: 'warn',
  degraded: 'warn',
  monitoring: 'warn',
  identified: 'warn',
  verifying: 'warn',
  partial_outage: 'bad',
  investigating: 'bad',
  major_outage: 'crit',
  down: 'crit',
  under_maintenance: 'maint',
  scheduled: 'maint',
  in_progress: 'maint',
  cancelled: 'muted',
  paused: 'muted',
  unknown: 'muted',
  none: 'muted',
  minor: 'warn',
  major: 'bad',
  critical: 'crit',
  maintenance: 'maint',
};

/** A coloured label for a component, incident, maintenance or monitor status (or an impact). */
export function StatusBadge(props: { status: string; impact?: boolean }) {
  const key = props.impact ? `impact.${props.status}` : `status.${props.status}`;
  return (
    <span class={`badge badge-${kTone[props.status] ?? 'muted'}`} data-status={props.status}>
      {t(key)}
    </span>
  );
}

/** An in-app link (path below /admin). */
export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const { href, onClick, ...rest } = props;
  return (
    <a
      {...rest}
      href={kBase + href}
      onClick={(e) => {
        if (onClick) (onClick as (e: MouseEvent) => void)(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}

export function Loading() {
  return <p class="loading">{t('ui.loading')}</p>;
}

export function Empty(props: { text?: string }) {
  return <p class="empty">{props.text ?? t('ui.empty')}</p>;
}
