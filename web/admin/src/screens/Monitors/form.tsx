// Create and edit form of a monitor: the fields of the monitor API (monitor_json.cpp) for the
// chosen type. Secrets (basic auth password, bearer token) are write-only: empty keeps them.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api';
import { t } from '../../i18n';
import { Button, ErrorBox, Field } from '../../ui';

export const kTypes = ['http', 'tcp', 'dns', 'tls', 'icmp', 'heartbeat'] as const;
const kMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const kDnsTypes = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'PTR', 'SRV', 'CAA'];

export interface MonitorLink {
  component_id: string;
  down_status: string;
  degraded_status: string;
}

export interface Monitor {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  source: string;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  follow_redirects?: boolean;
  verify_tls?: boolean;
  host?: string;
  port?: number;
  server_name?: string;
  dns_record_type?: string;
  dns_resolver?: string;
  basic_auth?: { username: string };
  secrets_set?: string[];
  timeout_ms: number;
  interval_s: number;
  retries: number;
  degraded_threshold_ms: number | null;
  locations: string[];
  quorum: number;
  recovery_period_s: number;
  components: MonitorLink[];
  create_incidents: boolean;
  heartbeat_grace_s?: number;
  conditions: string[];
  created_at: string;
  updated_at: string;
  heartbeat_url?: string;
  state: {
    status: string;
    since: string | null;
    message: string;
    incident_id: string | null;
    locations: Record<string, { status: string; last_outcome: string; last_at: string; failures_in_row: number; message: string }>;
    last_ping_at?: string | null;
  };
}

interface Draft {
  name: string;
  type: string;
  enabled: boolean;
  url: string;
  method: string;
  headers: string;
  body: string;
  follow_redirects: boolean;
  verify_tls: boolean;
  host: string;
  port: string;
  server_name: string;
  dns_record_type: string;
  dns_resolver: string;
  basic_user: string;
  basic_password: string;
  bearer_token: string;
  timeout_ms: string;
  interval_s: string;
  retries: string;
  degraded_threshold_ms: string;
  locations: string;
  quorum: string;
  recovery_period_s: string;
  components: string[];
  create_incidents: boolean;
  heartbeat_grace_s: string;
  conditions: string;
}

function draftOf(m: Monitor | null): Draft {
  return {
    name: m?.name ?? '',
    type: m?.type ?? 'http',
    enabled: m?.enabled ?? true,
    url: m?.url ?? '',
    method: m?.method ?? 'GET',
    headers: Object.entries(m?.headers ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
    body: m?.body ?? '',
    follow_redirects: m?.follow_redirects ?? true,
    verify_tls: m?.verify_tls ?? true,
    host: m?.host ?? '',
    port: m?.port ? String(m.port) : '',
    server_name: m?.server_name ?? '',
    dns_record_type: m?.dns_record_type ?? 'A',
    dns_resolver: m?.dns_resolver ?? '',
    basic_user: m?.basic_auth?.username ?? '',
    basic_password: '',
    bearer_token: '',
    timeout_ms: String(m?.timeout_ms ?? 10000),
    interval_s: String(m?.interval_s ?? 60),
    retries: String(m?.retries ?? 1),
    degraded_threshold_ms: m?.degraded_threshold_ms ? String(m.degraded_threshold_ms) : '',
    locations: (m?.locations ?? ['local']).join(', '),
    quorum: String(m?.quorum ?? 1),
    recovery_period_s: String(m?.recovery_period_s ?? 60),
    components: (m?.components ?? []).map((c) => c.component_id),
    create_incidents: m?.create_incidents ?? true,
    heartbeat_grace_s: String(m?.heartbeat_grace_s ?? 60),
    conditions: (m?.conditions ?? []).join('\n'),
  };
}

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

function bodyOf(d: Draft, existing: Monitor | null): Record<string, unknown> {
  const b: Record<string, unknown> = {
    name: d.name,
    enabled: d.enabled,
    interval_s: num(d.interval_s),
    retries: num(d.retries),
    locations: d.locations
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter(Boolean),
    quorum: num(d.quorum),
    recovery_period_s: num(d.recovery_period_s),
    create_incidents: d.create_incidents,
    conditions: d.conditions
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  };
  if (!existing) b.type = d.type;
  const type = existing?.type ?? d.type;
  // Links keep the statuses they had; new ones get the API's defaults.
  b.components = d.components.map((id) => existing?.components.find((c) => c.component_id === id) ?? { component_id: id });
  if (type !== 'heartbeat') {
    b.timeout_ms = num(d.timeout_ms);
    b.degraded_threshold_ms = d.degraded_threshold_ms.trim() === '' ? null : Number(d.degraded_threshold_ms);
  }
  if (type === 'http') {
    b.url = d.url;
    b.method = d.method;
    const headers: Record<string, string> = {};
    for (const line of d.headers.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    b.headers = headers;
    b.body = d.body;
    b.follow_redirects = d.follow_redirects;
    if (d.basic_user === '' && d.basic_password === '') {
      if (existing?.basic_auth || existing?.secrets_set?.includes('basic_auth.password')) b.basic_auth = null;
    } else {
      const auth: Record<string, string> = { username: d.basic_user };
      if (d.basic_password !== '') auth.password = d.basic_password;
      b.basic_auth = auth;
    }
    if (d.bearer_token !== '') b.bearer_token = d.bearer_token;
  }
  if (type === 'http' || type === 'tls') b.verify_tls = d.verify_tls;
  if (type === 'tcp' || type === 'tls' || type === 'icmp' || type === 'dns') b.host = d.host;
  if (type === 'tcp' || type === 'tls') b.port = num(d.port);
  if (type === 'tls') b.server_name = d.server_name;
  if (type === 'dns') {
    b.dns_record_type = d.dns_record_type;
    b.dns_resolver = d.dns_resolver;
  }
  if (type === 'heartbeat') b.heartbeat_grace_s = num(d.heartbeat_grace_s);
  for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k];
  return b;
}

export function MonitorForm(props: {
  monitor: Monitor | null;
  components: { id: string; name: string; group: boolean }[];
  onSaved: (m: Monitor) => void;
  onCancel: () => void;
}) {
  const existing = props.monitor;
  const [d, setD] = useState<Draft>(() => draftOf(existing));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setD((old) => ({ ...old, ...patch }));
  const type = existing?.type ?? d.type;
  // The API names the field it refuses; that field shows the message too.
  const apiField = error instanceof ApiError ? error.field ?? '' : '';
  const fieldError = (key: string) =>
    apiField === key || apiField.startsWith(`${key}[`) || apiField.startsWith(`${key}.`) ? (error as ApiError).message : undefined;
  const text = (key: keyof Draft, label: string, opts: { type?: string; hint?: string; required?: boolean } = {}) => (
    <Field id={`monitor-${key}`} label={label} hint={opts.hint} error={fieldError(key === 'basic_user' || key === 'basic_password' ? 'basic_auth' : key)}>
      <input
        id={`monitor-${key}`}
        type={opts.type ?? 'text'}
        required={opts.required}
        autoComplete={opts.type === 'password' ? 'new-password' : 'off'}
        value={d[key] as string}
        onInput={(e) => set({ [key]: e.currentTarget.value } as Partial<Draft>)}
      />
    </Field>
  );
  const check = (key: keyof Draft, label: string) => (
    <Field id={`monitor-${key}`} label={label} inline>
      <input
        id={`monitor-${key}`}
        type="checkbox"
        checked={d[key] as boolean}
        onChange={(e) => set({ [key]: e.currentTarget.checked } as Partial<Draft>)}
      />
    </Field>
  );

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = bodyOf(d, existing);
      const saved = existing
        ? await api<Monitor>('PATCH', `/api/v1/monitors/${encodeURIComponent(existing.id)}`, body)
        : await api<Monitor>('POST', '/api/v1/monitors', body);
      props.onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} class="monitor-form">
      <div class="form-grid">
        {text('name', t('monitors.f.name'), { required: true })}
        <Field id="monitor-type" label={t('monitors.f.type')} hint={existing ? t('monitors.f.typeFixed') : undefined}>
          <select id="monitor-type" value={type} disabled={!!existing} onChange={(e) => set({ type: e.currentTarget.value })}>
            {kTypes.map((k) => (
              <option value={k}>{t(`monitors.type.${k}`)}</option>
            ))}
          </select>
        </Field>
      </div>
      {type === 'http' ? (
        <fieldset>
          <legend>{t('monitors.f.request')}</legend>
          {text('url', t('monitors.f.url'), { type: 'url', required: true, hint: 'https://example.com/health' })}
          <div class="form-grid">
            <Field id="monitor-method" label={t('monitors.f.method')}>
              <select id="monitor-method" value={d.method} onChange={(e) => set({ method: e.currentTarget.value })}>
                {kMethods.map((m) => (
                  <option value={m}>{m}</option>
                ))}
              </select>
            </Field>
            {text('basic_user', t('monitors.f.basicUser'))}
            {text('basic_password', t('monitors.f.basicPassword'), {
              type: 'password',
              hint: existing?.secrets_set?.includes('basic_auth.password') ? t('monitors.f.secretKept') : undefined,
            })}
            {text('bearer_token', t('monitors.f.bearer'), {
              type: 'password',
              hint: existing?.secrets_set?.includes('bearer_token') ? t('monitors.f.secretKept') : undefined,
            })}
          </div>
          <Field id="monitor-headers" label={t('monitors.f.headers')} hint={t('monitors.f.headersHint')}>
            <textarea id="monitor-headers" value={d.headers} onInput={(e) => set({ headers: e.currentTarget.value })} />
          </Field>
          <Field id="monitor-body" label={t('monitors.f.body')}>
            <textarea id="monitor-body" value={d.body} onInput={(e) => set({ body: e.currentTarget.value })} />
          </Field>
          {check('follow_redirects', t('monitors.f.followRedirects'))}
          {check('verify_tls', t('monitors.f.verifyTls'))}
        </fieldset>
      ) : null}
      {type === 'tcp' || type === 'tls' || type === 'icmp' || type === 'dns' ? (
        <fieldset>
          <legend>{t('monitors.f.target')}</legend>
          <div class="form-grid">
            {text('host', type === 'dns' ? t('monitors.f.dnsName') : t('monitors.f.host'), { required: true })}
            {type === 'tcp' || type === 'tls' ? text('port', t('monitors.f.port'), { type: 'number', hint: type === 'tls' ? '443' : undefined }) : null}
            {type === 'tls' ? text('server_name', t('monitors.f.serverName')) : null}
            {type === 'dns' ? (
              <Field id="monitor-dns_record_type" label={t('monitors.f.dnsType')}>
                <select id="monitor-dns_record_type" value={d.dns_record_type} onChange={(e) => set({ dns_record_type: e.currentTarget.value })}>
                  {kDnsTypes.map((k) => (
                    <option value={k}>{k}</option>
                  ))}
                </select>
              </Field>
            ) : null}
            {type === 'dns' ? text('dns_resolver', t('monitors.f.dnsResolver'), { hint: '9.9.9.9:53' }) : null}
          </div>
          {type === 'tls' ? check('verify_tls', t('monitors.f.verifyTls')) : null}
        </fieldset>
      ) : null}
      {type === 'heartbeat' ? <p class="hint">{t('monitors.f.heartbeatHint')}</p> : null}
      <fieldset>
        <legend>{t('monitors.f.schedule')}</legend>
        <div class="form-grid">
          {text('interval_s', t('monitors.f.interval'), { type: 'number' })}
          {type === 'heartbeat' ? text('heartbeat_grace_s', t('monitors.f.grace'), { type: 'number' }) : null}
          {type !== 'heartbeat' ? text('timeout_ms', t('monitors.f.timeout'), { type: 'number' }) : null}
          {type !== 'heartbeat' ? text('degraded_threshold_ms', t('monitors.f.degraded'), { type: 'number', hint: t('monitors.f.degradedHint') }) : null}
          {text('retries', t('monitors.f.retries'), { type: 'number' })}
          {text('recovery_period_s', t('monitors.f.recovery'), { type: 'number' })}
          {text('locations', t('monitors.f.locations'), { hint: t('monitors.f.locationsHint') })}
          {text('quorum', t('monitors.f.quorum'), { type: 'number' })}
        </div>
        {type !== 'heartbeat' ? (
          <Field id="monitor-conditions" label={t('monitors.f.conditions')} hint={t('monitors.f.conditionsHint')}>
            <textarea id="monitor-conditions" value={d.conditions} onInput={(e) => set({ conditions: e.currentTarget.value })} />
          </Field>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>{t('monitors.f.components')}</legend>
        {props.components.filter((c) => !c.group).length === 0 ? <p class="hint">{t('monitors.f.noComponents')}</p> : null}
        <div class="monitor-components">
          {props.components
            .filter((c) => !c.group)
            .map((c) => (
              <Field id={`monitor-component-${c.id}`} label={c.name} inline>
                <input
                  id={`monitor-component-${c.id}`}
                  type="checkbox"
                  checked={d.components.includes(c.id)}
                  onChange={(e) =>
                    set({
                      components: e.currentTarget.checked ? [...d.components, c.id] : d.components.filter((x) => x !== c.id),
                    })
                  }
                />
              </Field>
            ))}
        </div>
        {check('create_incidents', t('monitors.f.createIncidents'))}
      </fieldset>
      {check('enabled', t('monitors.f.enabled'))}
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {existing ? t('ui.save') : t('monitors.create')}
        </Button>
        <Button onClick={props.onCancel}>{t('ui.cancel')}</Button>
      </div>
    </form>
  );
}
