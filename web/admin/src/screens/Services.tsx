// Services (alert intake, issue 6): the list; one service's page with its settings, its
// escalation policy (issue 7), its integration keys per dialect (the secret is shown once, with
// the intake URL and a configuration snippet to paste), and its recent change events.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, formatTime, t } from '../i18n';
import { leafComponents } from '../parts';
import { useResource } from '../resource';
import { can } from '../session';
import type { Component } from '../types';
import { Button, Dialog, Empty, ErrorBox, Field, Link, Loading, PageTitle, navigate } from '../ui';
import {
  CopyButton,
  formatMinutes,
  kDialects,
  type ChangeEvent,
  type Dialect,
  type IntegrationKey,
  type Policy,
  type Service,
  type ServiceEscalation,
} from './alerting';

addMessages('en', {
  'services.title': 'Services',
  'services.intro': 'A service receives alerts from monitoring tools through its integration keys and pages people through its escalation policy.',
  'services.new': 'New service',
  'services.create': 'Create service',
  'services.edit': 'Edit service',
  'services.delete': 'Delete',
  'services.deleteConfirm': 'Delete the service {name}? Its integration keys stop working at once.',
  'services.empty': 'No services yet.',
  'services.back': 'All services',
  'services.alerts': 'Alerts of this service',
  'services.name': 'Name',
  'services.description': 'Description',
  'services.team': 'Owning team',
  'services.urgency': 'Urgency',
  'services.urgency.high': 'Always high',
  'services.urgency.low': 'Always low',
  'services.urgency.severity': 'From the alert\'s severity',
  'services.window': 'Grouping window (minutes)',
  'services.window.hint': 'Alerts arriving within this time of the last one join the same incident. 0: no time grouping.',
  'services.labels': 'Grouping labels',
  'services.labels.hint': 'Comma-separated label names: alerts with equal values join one incident.',
  'services.ackTimeout': 'Acknowledgement expires after (minutes)',
  'services.ackTimeout.hint': 'An acknowledged alert triggers again after this time. 0: never.',
  'services.components': 'Status page components',
  'services.components.hint': 'A maintenance of these components silences this service.',
  'services.components.none': 'No components.',
  'services.noDescription': 'No description.',
  'services.window.off': 'no time grouping',
  'services.window.short': 'Grouping window',
  'services.ackTimeout.short': 'Acknowledgement expires after',
  'services.never': 'never',
  'services.settings': 'Settings',
  'services.escalation': 'Escalation',
  'services.escalation.policy': 'Escalation policy',
  'services.escalation.none': '— nobody is paged —',
  'services.escalation.reescalate': 'Page again when acknowledged but not resolved after (minutes)',
  'services.escalation.reescalate.hint': '0: never.',
  'services.escalation.saved': 'Saved.',
  'services.escalation.manage': 'Manage escalation policies',
  'services.keys': 'Integration keys',
  'services.keys.hint': 'One key per tool. Its secret is shown only when created or rotated.',
  'services.keys.ownerOnly': 'Only owners see and manage integration keys.',
  'services.keys.name': 'Key name',
  'services.keys.dialect': 'Sends like',
  'services.keys.mapping': 'Field mapping (JSON)',
  'services.keys.mapping.hint': 'JSON pointers into the body, e.g. {"summary": "/title", "dedup_key": "/id", "severity": "/level"}. Empty: the default fields.',
  'services.keys.mapping.invalid': 'The field mapping is not a JSON object.',
  'services.keys.create': 'Create key',
  'services.keys.empty': 'No integration keys.',
  'services.keys.rotate': 'Rotate',
  'services.keys.rotateConfirm': 'Rotate the key {name}? The old secret stops working at once.',
  'services.keys.revoke': 'Revoke',
  'services.keys.revokeConfirm': 'Revoke the key {name}? Whatever sends with it is refused from now on.',
  'services.keys.created': 'created {time}',
  'services.keys.lastUsed': 'last used {time}',
  'services.keys.neverUsed': 'never used',
  'services.keys.rotated': 'rotated {time}',
  'services.keys.revoked': 'revoked {time}',
  'services.keys.showRevoked': 'Show revoked keys',
  'services.secret.title': 'The secret of {name}',
  'services.secret.once': 'Copy the secret now: it is shown only once and cannot be retrieved later.',
  'services.secret.done': 'Done',
  'services.secret.url': 'Intake URL',
  'services.secret.snippet': 'Configuration',
  'services.dialect.pagerduty': 'PagerDuty (Events API v2)',
  'services.dialect.opsgenie': 'Opsgenie (Alert API)',
  'services.dialect.alertmanager': 'Prometheus Alertmanager (webhook)',
  'services.dialect.grafana': 'Grafana (webhook contact point)',
  'services.dialect.generic': 'Generic JSON webhook',
  'services.dialect.monitor': 'tocsin monitors',
  'services.how.pagerduty': 'Send PagerDuty Events API v2 requests to this URL with the secret as routing_key (integration key). In Alertmanager:',
  'services.how.opsgenie': 'Use this server as the Opsgenie API URL (instead of https://api.opsgenie.com) and the secret as the API key (Authorization: GenieKey). In Alertmanager:',
  'services.how.alertmanager': 'Add a webhook receiver in alertmanager.yml; the secret goes in the Authorization header:',
  'services.how.grafana': 'Create a webhook contact point with this URL; under optional settings set the Authorization header scheme to Bearer and the secret as credentials. Provisioned:',
  'services.how.generic': 'POST JSON to this URL (the secret is part of it), for example:',
  'services.changes': 'Recent change events',
  'services.changes.hint': 'Deploys and other changes sent to /v2/change/enqueue, shown as context for alerts.',
  'services.changes.empty': 'No change events.',
});
addMessages('de', {
  'services.title': 'Dienste',
  'services.intro': 'Ein Dienst empfängt Alarme von Überwachungswerkzeugen über seine Integrationsschlüssel und alarmiert Personen über seine Eskalationsrichtlinie.',
  'services.new': 'Neuer Dienst',
  'services.create': 'Dienst anlegen',
  'services.edit': 'Dienst bearbeiten',
  'services.delete': 'Löschen',
  'services.deleteConfirm': 'Den Dienst {name} löschen? Seine Integrationsschlüssel funktionieren sofort nicht mehr.',
  'services.empty': 'Noch keine Dienste.',
  'services.back': 'Alle Dienste',
  'services.alerts': 'Alarme dieses Dienstes',
  'services.name': 'Name',
  'services.description': 'Beschreibung',
  'services.team': 'Zuständiges Team',
  'services.urgency': 'Dringlichkeit',
  'services.urgency.high': 'Immer hoch',
  'services.urgency.low': 'Immer niedrig',
  'services.urgency.severity': 'Nach dem Schweregrad des Alarms',
  'services.window': 'Gruppierungsfenster (Minuten)',
  'services.window.hint': 'Alarme, die innerhalb dieser Zeit nach dem letzten eintreffen, gehören zum selben Vorfall. 0: keine zeitliche Gruppierung.',
  'services.labels': 'Gruppierungs-Labels',
  'services.labels.hint': 'Label-Namen, durch Kommas getrennt: Alarme mit gleichen Werten bilden einen Vorfall.',
  'services.ackTimeout': 'Bestätigung läuft ab nach (Minuten)',
  'services.ackTimeout.hint': 'Ein bestätigter Alarm wird nach dieser Zeit wieder ausgelöst. 0: nie.',
  'services.components': 'Komponenten der Statusseite',
  'services.components.hint': 'Eine Wartung dieser Komponenten schaltet diesen Dienst stumm.',
  'services.components.none': 'Keine Komponenten.',
  'services.noDescription': 'Keine Beschreibung.',
  'services.window.off': 'keine zeitliche Gruppierung',
  'services.window.short': 'Gruppierungsfenster',
  'services.ackTimeout.short': 'Bestätigung läuft ab nach',
  'services.never': 'nie',
  'services.settings': 'Einstellungen',
  'services.escalation': 'Eskalation',
  'services.escalation.policy': 'Eskalationsrichtlinie',
  'services.escalation.none': '— niemand wird alarmiert —',
  'services.escalation.reescalate': 'Erneut alarmieren, wenn bestätigt, aber nicht behoben nach (Minuten)',
  'services.escalation.reescalate.hint': '0: nie.',
  'services.escalation.saved': 'Gespeichert.',
  'services.escalation.manage': 'Eskalationsrichtlinien verwalten',
  'services.keys': 'Integrationsschlüssel',
  'services.keys.hint': 'Ein Schlüssel pro Werkzeug. Das Geheimnis wird nur beim Erzeugen oder Erneuern angezeigt.',
  'services.keys.ownerOnly': 'Nur Inhaber sehen und verwalten Integrationsschlüssel.',
  'services.keys.name': 'Name des Schlüssels',
  'services.keys.dialect': 'Sendet wie',
  'services.keys.mapping': 'Feldzuordnung (JSON)',
  'services.keys.mapping.hint': 'JSON-Pointer in den Inhalt, z. B. {"summary": "/title", "dedup_key": "/id", "severity": "/level"}. Leer: die Standardfelder.',
  'services.keys.mapping.invalid': 'Die Feldzuordnung ist kein JSON-Objekt.',
  'services.keys.create': 'Schlüssel erzeugen',
  'services.keys.empty': 'Keine Integrationsschlüssel.',
  'services.keys.rotate': 'Erneuern',
  'services.keys.rotateConfirm': 'Den Schlüssel {name} erneuern? Das alte Geheimnis funktioniert sofort nicht mehr.',
  'services.keys.revoke': 'Widerrufen',
  'services.keys.revokeConfirm': 'Den Schlüssel {name} widerrufen? Was damit sendet, wird ab sofort abgewiesen.',
  'services.keys.created': 'erzeugt {time}',
  'services.keys.lastUsed': 'zuletzt benutzt {time}',
  'services.keys.neverUsed': 'noch nie benutzt',
  'services.keys.rotated': 'erneuert {time}',
  'services.keys.revoked': 'widerrufen {time}',
  'services.keys.showRevoked': 'Widerrufene Schlüssel zeigen',
  'services.secret.title': 'Das Geheimnis von {name}',
  'services.secret.once': 'Kopieren Sie das Geheimnis jetzt: Es wird nur einmal angezeigt und lässt sich später nicht abrufen.',
  'services.secret.done': 'Fertig',
  'services.secret.url': 'Empfangs-URL',
  'services.secret.snippet': 'Konfiguration',
  'services.dialect.pagerduty': 'PagerDuty (Events API v2)',
  'services.dialect.opsgenie': 'Opsgenie (Alert API)',
  'services.dialect.alertmanager': 'Prometheus Alertmanager (Webhook)',
  'services.dialect.grafana': 'Grafana (Webhook-Kontaktpunkt)',
  'services.dialect.generic': 'Allgemeiner JSON-Webhook',
  'services.dialect.monitor': 'tocsin-Monitore',
  'services.how.pagerduty': 'PagerDuty-Events-API-v2-Anfragen an diese URL senden, mit dem Geheimnis als routing_key (Integrationsschlüssel). In Alertmanager:',
  'services.how.opsgenie': 'Diesen Server als Opsgenie-API-URL verwenden (statt https://api.opsgenie.com) und das Geheimnis als API-Schlüssel (Authorization: GenieKey). In Alertmanager:',
  'services.how.alertmanager': 'Einen Webhook-Empfänger in alertmanager.yml eintragen; das Geheimnis steht im Authorization-Header:',
  'services.how.grafana': 'Einen Webhook-Kontaktpunkt mit dieser URL anlegen; unter den optionalen Einstellungen als Authorization-Header das Schema Bearer und das Geheimnis als Zugangsdaten eintragen. Per Provisioning:',
  'services.how.generic': 'JSON per POST an diese URL senden (das Geheimnis ist Teil davon), zum Beispiel:',
  'services.changes': 'Letzte Änderungsereignisse',
  'services.changes.hint': 'Deployments und andere Änderungen, gesendet an /v2/change/enqueue, als Kontext zu Alarmen.',
  'services.changes.empty': 'Keine Änderungsereignisse.',
});

const kUrgencies = ['high', 'low', 'severity'] as const;

interface Draft {
  name: string;
  description: string;
  team: string;
  urgency: string;
  window: string;
  labels: string;
  ackTimeout: string;
  components: string[];
}

function draftOf(s?: Service): Draft {
  return {
    name: s?.name ?? '',
    description: s?.description ?? '',
    team: s?.team ?? '',
    urgency: s?.urgency ?? 'high',
    window: String((s?.group_window_seconds ?? 0) / 60),
    labels: (s?.group_labels ?? []).join(', '),
    ackTimeout: String((s?.ack_timeout_seconds ?? 0) / 60),
    components: s?.component_ids ?? [],
  };
}

/** Minutes typed in a field as whole seconds (the API's unit); junk stays junk for the server to name. */
function seconds(minutes: string): number {
  const n = Number(minutes.trim() || '0');
  return Number.isFinite(n) ? Math.round(n * 60) : NaN;
}

function ServiceForm(props: { service?: Service; onDone: (s: Service) => void; onCancel: () => void }) {
  const [d, setD] = useState<Draft>(draftOf(props.service));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const comps = useResource<Component[]>('/api/v1/components', ['page']);
  const teams = useResource<{ data: { id: string; name: string }[] }>('/api/v1/teams', ['people']);
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const editing = props.service !== undefined;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = {
      name: d.name,
      description: d.description,
      team: d.team,
      urgency: d.urgency,
      group_window_seconds: seconds(d.window),
      group_labels: d.labels
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      ack_timeout_seconds: seconds(d.ackTimeout),
      component_ids: d.components,
    };
    try {
      const s = editing
        ? await api<Service>('PATCH', `/api/v1/services/${encodeURIComponent(props.service!.id)}`, body)
        : await api<Service>('POST', '/api/v1/services', body);
      props.onDone(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const leaves = leafComponents(comps.data ?? []);
  return (
    <form onSubmit={submit} noValidate>
      <Field id="service-name" label={t('services.name')}>
        <input id="service-name" type="text" required maxLength={100} value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} />
      </Field>
      <Field id="service-description" label={t('services.description')}>
        <textarea id="service-description" maxLength={2000} value={d.description} onInput={(e) => set({ description: e.currentTarget.value })} />
      </Field>
      <div class="form-grid">
        <Field id="service-team" label={t('services.team')}>
          <input id="service-team" type="text" list="service-team-names" maxLength={100} value={d.team} onInput={(e) => set({ team: e.currentTarget.value })} />
          <datalist id="service-team-names">
            {(teams.data?.data ?? []).map((x) => (
              <option key={x.id} value={x.name} />
            ))}
          </datalist>
        </Field>
        <Field id="service-urgency" label={t('services.urgency')}>
          <select id="service-urgency" value={d.urgency} onChange={(e) => set({ urgency: e.currentTarget.value })}>
            {kUrgencies.map((u) => (
              <option key={u} value={u}>
                {t(`services.urgency.${u}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div class="form-grid">
        <Field id="service-window" label={t('services.window')} hint={t('services.window.hint')}>
          <input id="service-window" type="number" min={0} max={10080} step="any" value={d.window} onInput={(e) => set({ window: e.currentTarget.value })} />
        </Field>
        <Field id="service-ack-timeout" label={t('services.ackTimeout')} hint={t('services.ackTimeout.hint')}>
          <input
            id="service-ack-timeout"
            type="number"
            min={0}
            max={10080}
            step="any"
            value={d.ackTimeout}
            onInput={(e) => set({ ackTimeout: e.currentTarget.value })}
          />
        </Field>
      </div>
      <Field id="service-labels" label={t('services.labels')} hint={t('services.labels.hint')}>
        <input id="service-labels" type="text" placeholder="cluster, alertname" value={d.labels} onInput={(e) => set({ labels: e.currentTarget.value })} />
      </Field>
      <fieldset>
        <legend>{t('services.components')}</legend>
        <p class="hint">{t('services.components.hint')}</p>
        {comps.data && leaves.length === 0 ? <p class="muted">{t('services.components.none')}</p> : null}
        <div class="check-grid">
          {leaves.map(({ c, group }) => {
            const id = `service-comp-${c.id}`;
            const on = d.components.includes(c.id);
            return (
              <div class="field field-inline" key={c.id}>
                <input
                  id={id}
                  type="checkbox"
                  checked={on}
                  onChange={(e) =>
                    set({ components: e.currentTarget.checked ? [...d.components, c.id] : d.components.filter((x) => x !== c.id) })
                  }
                />
                <label for={id}>
                  {c.name}
                  {group ? <span class="muted"> ({group})</span> : null}
                </label>
              </div>
            );
          })}
        </div>
      </fieldset>
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {editing ? t('ui.save') : t('services.create')}
        </Button>
        <Button onClick={props.onCancel}>{t('ui.cancel')}</Button>
      </div>
    </form>
  );
}

function ServiceList() {
  const res = useResource<{ data: Service[] }>('/api/v1/services', ['alerts']);
  const [creating, setCreating] = useState(false);
  const list = res.data?.data ?? [];
  return (
    <div class="screen-services">
      <PageTitle title={t('services.title')}>
        {can('owner') ? (
          <Button kind="primary" onClick={() => setCreating(true)}>
            {t('services.new')}
          </Button>
        ) : null}
      </PageTitle>
      <p class="hint">{t('services.intro')}</p>
      <ErrorBox error={res.error} />
      {res.data === undefined && !res.error ? <Loading /> : null}
      {res.data && list.length === 0 ? <Empty text={t('services.empty')} /> : null}
      {list.length > 0 ? (
        <ul class="list service-list">
          {list.map((s) => (
            <li key={s.id} data-id={s.id}>
              <span class="grow">
                <Link href={`/services/${s.id}`}>{s.name}</Link>
                <div class="meta break">
                  {[s.team, s.description].filter(Boolean).join(' · ')}
                </div>
              </span>
              <span class="meta">{t(`services.urgency.${s.urgency}`)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <Dialog open={creating} title={t('services.new')} onClose={() => setCreating(false)}>
        {creating ? (
          <ServiceForm
            onCancel={() => setCreating(false)}
            onDone={(s) => {
              setCreating(false);
              navigate(`/services/${s.id}`);
            }}
          />
        ) : null}
      </Dialog>
    </div>
  );
}

function EscalationSection(props: { service: Service }) {
  const path = `/api/v1/services/${encodeURIComponent(props.service.id)}/escalation`;
  const res = useResource<ServiceEscalation>(path, ['alerts']);
  const policies = useResource<{ escalation_policies: Policy[] }>('/api/v1/escalation-policies', ['alerts']);
  const [policy, setPolicy] = useState<string | null>(null);
  const [minutes, setMinutes] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const cur = res.data;
  const list = policies.data?.escalation_policies ?? [];
  const policyValue = policy ?? cur?.escalation_policy_id ?? '';
  const minutesValue = minutes ?? String(cur?.reescalate_after_minutes ?? 0);
  const editable = can('responder');

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      const n = Number(minutesValue.trim() || '0');
      await api('PUT', path, { escalation_policy_id: policyValue === '' ? null : policyValue, reescalate_after_minutes: Number.isFinite(n) ? n : minutesValue });
      setPolicy(null);
      setMinutes(null);
      setSaved(true);
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const current = list.find((p) => p.id === cur?.escalation_policy_id);
  return (
    <section class="panel service-escalation">
      <h2>{t('services.escalation')}</h2>
      <ErrorBox error={res.error ?? policies.error} />
      {!cur ? (
        res.error ? null : <Loading />
      ) : editable ? (
        <form onSubmit={save} noValidate>
          <div class="form-grid">
            <Field id="service-policy" label={t('services.escalation.policy')}>
              <select
                id="service-policy"
                value={policyValue}
                onChange={(e) => {
                  setPolicy(e.currentTarget.value);
                  setSaved(false);
                }}
              >
                <option value="">{t('services.escalation.none')}</option>
                {list.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
                {cur.escalation_policy_id && !current && policies.data ? (
                  <option value={cur.escalation_policy_id}>{cur.escalation_policy_id}</option>
                ) : null}
              </select>
            </Field>
            <Field id="service-reescalate" label={t('services.escalation.reescalate')} hint={t('services.escalation.reescalate.hint')}>
              <input
                id="service-reescalate"
                type="number"
                min={0}
                max={10080}
                value={minutesValue}
                onInput={(e) => {
                  setMinutes(e.currentTarget.value);
                  setSaved(false);
                }}
              />
            </Field>
          </div>
          <ErrorBox error={error} />
          <div class="form-actions">
            <Button kind="primary" type="submit" busy={busy}>
              {t('ui.save')}
            </Button>
            {saved ? (
              <span class="muted" role="status">
                {t('services.escalation.saved')}
              </span>
            ) : null}
            <Link href="/escalation-policies" class="btn btn-link">
              {t('services.escalation.manage')}
            </Link>
          </div>
        </form>
      ) : (
        <dl class="facts">
          <dt>{t('services.escalation.policy')}</dt>
          <dd>{current ? <Link href={`/escalation-policies/${current.id}`}>{current.name}</Link> : t('services.escalation.none')}</dd>
          <dt>{t('services.escalation.reescalate')}</dt>
          <dd>{cur.reescalate_after_minutes > 0 ? formatMinutes(cur.reescalate_after_minutes) : t('services.never')}</dd>
        </dl>
      )}
    </section>
  );
}

function intakeUrl(origin: string, k: IntegrationKey): string {
  switch (k.dialect) {
    case 'pagerduty':
      return `${origin}/v2/enqueue`;
    case 'opsgenie':
      return `${origin}/`;
    case 'alertmanager':
      return `${origin}/integrations/alertmanager`;
    case 'grafana':
      return `${origin}/integrations/grafana`;
    default:
      return `${origin}/integrations/generic/${k.secret ?? '<secret>'}`;
  }
}

function snippet(origin: string, k: IntegrationKey): string {
  const secret = k.secret ?? '<secret>';
  switch (k.dialect) {
    case 'pagerduty':
      return `receivers:\n  - name: tocsin\n    pagerduty_configs:\n      - routing_key: ${secret}\n        url: ${origin}/v2/enqueue\n`;
    case 'opsgenie':
      return `receivers:\n  - name: tocsin\n    opsgenie_configs:\n      - api_key: ${secret}\n        api_url: ${origin}/\n`;
    case 'alertmanager':
      return `receivers:\n  - name: tocsin\n    webhook_configs:\n      - url: ${origin}/integrations/alertmanager\n        http_config:\n          authorization:\n            credentials: ${secret}\n`;
    case 'grafana':
      return `apiVersion: 1\ncontactPoints:\n  - orgId: 1\n    name: tocsin\n    receivers:\n      - uid: tocsin\n        type: webhook\n        settings:\n          url: ${origin}/integrations/grafana\n          authorization_scheme: Bearer\n          authorization_credentials: ${secret}\n`;
    default:
      return `curl -X POST '${intakeUrl(origin, k)}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{"summary": "Disk full on db-1", "severity": "critical", "dedup_key": "db-1/disk"}'\n`;
  }
}

/** The secret of a new or rotated key, once, with the URL and the configuration to paste. */
function SecretPanel(props: { k: IntegrationKey; onDone: () => void }) {
  const k = props.k;
  const origin = window.location.origin;
  const url = intakeUrl(origin, k);
  const text = snippet(origin, k);
  return (
    <div class="panel key-secret" role="status" data-dialect={k.dialect}>
      <h3>{t('services.secret.title', { name: k.name || t(`services.dialect.${k.dialect}`) })}</h3>
      <p class="hint">{t('services.secret.once')}</p>
      <div class="row">
        <input id="key-secret" class="mono" type="text" readOnly value={k.secret} aria-label={t('services.secret.title', { name: k.name || k.dialect })} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={k.secret ?? ''} />
      </div>
      <Field id="key-url" label={t('services.secret.url')}>
        <div class="row">
          <input id="key-url" class="mono" type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
          <CopyButton text={url} />
        </div>
      </Field>
      <p class="hint">{t(`services.how.${k.dialect}`)}</p>
      <div class="snippet">
        <pre aria-label={t('services.secret.snippet')}>{text}</pre>
        <CopyButton text={text} label={`${t('alerting.copy')}: ${t('services.secret.snippet')}`} />
      </div>
      <div class="form-actions">
        <Button onClick={props.onDone}>{t('services.secret.done')}</Button>
      </div>
    </div>
  );
}

function KeysSection(props: { service: Service }) {
  const base = `/api/v1/services/${encodeURIComponent(props.service.id)}/keys`;
  const res = useResource<{ data: IntegrationKey[] }>(base, ['alerts']);
  const [name, setName] = useState('');
  const [dialect, setDialect] = useState<Dialect>('pagerduty');
  const [mapping, setMapping] = useState('');
  const [shown, setShown] = useState<IntegrationKey | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [showRevoked, setShowRevoked] = useState(false);

  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const body: Record<string, unknown> = { name, dialect };
    if (dialect === 'generic' && mapping.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(mapping);
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        setError(new Error(t('services.keys.mapping.invalid')));
        return;
      }
      body.mapping = parsed;
    }
    setBusy(true);
    try {
      setShown(await api<IntegrationKey>('POST', base, body));
      setName('');
      setMapping('');
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const label = (k: IntegrationKey) => k.name || t(`services.dialect.${k.dialect}`);
  const rotate = async (k: IntegrationKey) => {
    if (!window.confirm(t('services.keys.rotateConfirm', { name: label(k) }))) return;
    setError(undefined);
    try {
      setShown(await api<IntegrationKey>('POST', `${base}/${encodeURIComponent(k.id)}/rotate`));
    } catch (err) {
      setError(err);
    }
    res.reload();
  };
  const revoke = async (k: IntegrationKey) => {
    if (!window.confirm(t('services.keys.revokeConfirm', { name: label(k) }))) return;
    setError(undefined);
    try {
      await api('DELETE', `${base}/${encodeURIComponent(k.id)}`);
      if (shown?.id === k.id) setShown(null);
    } catch (err) {
      setError(err);
    }
    res.reload();
  };

  const all = res.data?.data ?? [];
  const list = all.filter((k) => showRevoked || !k.revoked_at);
  return (
    <section class="panel service-keys">
      <h2>{t('services.keys')}</h2>
      <p class="hint">{t('services.keys.hint')}</p>
      <form class="key-form" onSubmit={create} noValidate>
        <Field id="key-name" label={t('services.keys.name')}>
          <input id="key-name" type="text" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="key-dialect" label={t('services.keys.dialect')}>
          <select id="key-dialect" value={dialect} onChange={(e) => setDialect(e.currentTarget.value as Dialect)}>
            {kDialects.map((x) => (
              <option key={x} value={x}>
                {t(`services.dialect.${x}`)}
              </option>
            ))}
          </select>
        </Field>
        <div class="key-submit">
          <Button kind="primary" type="submit" busy={busy}>
            {t('services.keys.create')}
          </Button>
        </div>
        {dialect === 'generic' ? (
          <div class="key-mapping">
            <Field id="key-mapping" label={t('services.keys.mapping')} hint={t('services.keys.mapping.hint')}>
              <textarea id="key-mapping" class="mono" value={mapping} onInput={(e) => setMapping(e.currentTarget.value)} />
            </Field>
          </div>
        ) : null}
      </form>
      <ErrorBox error={error ?? res.error} />
      {shown?.secret ? <SecretPanel k={shown} onDone={() => setShown(null)} /> : null}
      {res.data && list.length === 0 ? <Empty text={t('services.keys.empty')} /> : null}
      {list.length > 0 ? (
        <ul class="list key-list">
          {list.map((k) => (
            <li key={k.id} data-id={k.id} data-dialect={k.dialect} class={k.revoked_at ? 'revoked' : ''}>
              <div class="grow">
                <div class="key-name">
                  {label(k)} <code class="muted">{k.prefix}…</code>
                </div>
                <div class="meta">
                  {t(`services.dialect.${k.dialect}`)} · {t('services.keys.created', { time: formatTime(k.created_at) })} ·{' '}
                  {k.last_used_at ? t('services.keys.lastUsed', { time: formatTime(k.last_used_at) }) : t('services.keys.neverUsed')}
                  {k.rotated_at ? ` · ${t('services.keys.rotated', { time: formatTime(k.rotated_at) })}` : ''}
                  {k.revoked_at ? ` · ${t('services.keys.revoked', { time: formatTime(k.revoked_at) })}` : ''}
                </div>
              </div>
              {!k.revoked_at && k.dialect !== 'monitor' ? (
                <>
                  <Button class="btn-small" onClick={() => void rotate(k)}>
                    {t('services.keys.rotate')}
                  </Button>
                  <Button class="btn-small" kind="danger" onClick={() => void revoke(k)}>
                    {t('services.keys.revoke')}
                  </Button>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {all.some((k) => k.revoked_at) ? (
        <div class="field field-inline revoked-toggle">
          <input id="keys-show-revoked" type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.currentTarget.checked)} />
          <label for="keys-show-revoked">{t('services.keys.showRevoked')}</label>
        </div>
      ) : null}
    </section>
  );
}

function ChangesSection(props: { service: Service }) {
  const res = useResource<{ data: ChangeEvent[] }>(`/api/v1/services/${encodeURIComponent(props.service.id)}/change-events?limit=20`, ['alerts']);
  const list = res.data?.data ?? [];
  return (
    <section class="service-changes">
      <h2>{t('services.changes')}</h2>
      <p class="hint">{t('services.changes.hint')}</p>
      <ErrorBox error={res.error} />
      {res.data && list.length === 0 ? <Empty text={t('services.changes.empty')} /> : null}
      {list.length > 0 ? (
        <ul class="list change-list">
          {list.map((c) => (
            <li key={c.id} data-id={c.id}>
              <div class="grow">
                <div>{c.summary}</div>
                <div class="meta break">
                  {formatTime(c.occurred_at)}
                  {c.source ? ` · ${c.source}` : ''}
                  {(c.links ?? [])
                    .filter((l) => l.href && /^https?:\/\//.test(l.href))
                    .map((l, i) => (
                      <Fragment key={i}>
                        {' · '}
                        <a href={l.href} target="_blank" rel="noopener noreferrer">
                          {l.text || l.href}
                        </a>
                      </Fragment>
                    ))}
                </div>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function ServiceDetail(props: { id: string }) {
  const res = useResource<Service>(`/api/v1/services/${encodeURIComponent(props.id)}`, ['alerts']);
  const comps = useResource<Component[]>('/api/v1/components', ['page']);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const s = res.data;
  if (res.error && !s) {
    return (
      <div class="screen-services">
        <PageTitle title={t('services.title')} />
        <ErrorBox error={res.error} />
        <Link href="/services">{t('services.back')}</Link>
      </div>
    );
  }
  if (!s) return <Loading />;
  const names = new Map((comps.data ?? []).map((c) => [c.id, c.name]));

  const remove = async () => {
    if (!window.confirm(t('services.deleteConfirm', { name: s.name }))) return;
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/services/${encodeURIComponent(s.id)}`);
      navigate('/services');
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div class="screen-services service-detail" data-id={s.id}>
      <PageTitle title={s.name}>
        <Link href={`/alerts?service_id=${encodeURIComponent(s.id)}`} class="btn">
          {t('services.alerts')}
        </Link>
        {can('owner') ? (
          <>
            <Button onClick={() => setEditing(true)}>{t('ui.edit')}</Button>
            <Button kind="danger" onClick={() => void remove()}>
              {t('services.delete')}
            </Button>
          </>
        ) : null}
      </PageTitle>
      <ErrorBox error={error} />
      <section class="panel">
        <h2>{t('services.settings')}</h2>
        <p class="update-body">{s.description || <span class="muted">{t('services.noDescription')}</span>}</p>
        <dl class="facts">
          <dt>{t('services.team')}</dt>
          <dd>{s.team || '—'}</dd>
          <dt>{t('services.urgency')}</dt>
          <dd>{t(`services.urgency.${s.urgency}`)}</dd>
          <dt>{t('services.window.short')}</dt>
          <dd>{s.group_window_seconds > 0 ? formatMinutes(Math.round(s.group_window_seconds / 60)) || `${s.group_window_seconds} s` : t('services.window.off')}</dd>
          <dt>{t('services.labels')}</dt>
          <dd>{s.group_labels.length > 0 ? s.group_labels.join(', ') : '—'}</dd>
          <dt>{t('services.ackTimeout.short')}</dt>
          <dd>{s.ack_timeout_seconds > 0 ? formatMinutes(Math.round(s.ack_timeout_seconds / 60)) || `${s.ack_timeout_seconds} s` : t('services.never')}</dd>
          <dt>{t('services.components')}</dt>
          <dd>{s.component_ids.length > 0 ? s.component_ids.map((id) => names.get(id) ?? id).join(', ') : '—'}</dd>
        </dl>
      </section>
      <EscalationSection service={s} />
      {can('owner') ? <KeysSection service={s} /> : <p class="hint">{t('services.keys.ownerOnly')}</p>}
      <ChangesSection service={s} />
      <p>
        <Link href="/services">{t('services.back')}</Link>
      </p>
      <Dialog open={editing} title={t('services.edit')} onClose={() => setEditing(false)} wide>
        {editing ? (
          <ServiceForm
            service={s}
            onCancel={() => setEditing(false)}
            onDone={() => {
              setEditing(false);
              res.reload();
            }}
          />
        ) : null}
      </Dialog>
    </div>
  );
}

export default function Services(props: { id?: string }) {
  return props.id ? <ServiceDetail key={props.id} id={props.id} /> : <ServiceList />;
}
