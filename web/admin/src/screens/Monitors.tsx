// Monitors: the list with state, last check and uptime; one monitor's page with "test now",
// the latency chart, the last results and (heartbeat) the ping URL; create and edit forms.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, formatTime, t } from '../i18n';
import { useLive } from '../live';
import { useResource } from '../resource';
import { can } from '../session';
import { Button, Dialog, Empty, ErrorBox, Link, Loading, PageTitle, StatusBadge, navigate } from '../ui';
import { LatencyChart, type CheckResult } from './Monitors/chart';
import { MonitorForm, type Monitor } from './Monitors/form';
import './monitors.css';

addMessages('en', {
  'monitors.title': 'Monitors',
  'monitors.new': 'New monitor',
  'monitors.create': 'Create monitor',
  'monitors.edit': 'Edit monitor',
  'monitors.back': 'All monitors',
  'monitors.empty': 'No monitors yet. A monitor checks a URL, host or job and can set component statuses.',
  'monitors.col.name': 'Name',
  'monitors.col.type': 'Type',
  'monitors.col.state': 'State',
  'monitors.col.lastCheck': 'Last check',
  'monitors.col.uptime': 'Uptime (30 days)',
  'monitors.never': 'never',
  'monitors.disabled': 'Disabled',
  'monitors.fromConfig': 'From the configuration file (read-only here)',
  'monitors.testNow': 'Test now',
  'monitors.testing': 'Checking…',
  'monitors.testResult': 'Result of the test',
  'monitors.delete': 'Delete',
  'monitors.deleteConfirm': 'Delete monitor {name}? Its results are deleted too.',
  'monitors.enable': 'Enable',
  'monitors.disable': 'Disable',
  'monitors.uptime': 'Uptime',
  'monitors.uptime.1': '24 hours',
  'monitors.uptime.7': '7 days',
  'monitors.uptime.30': '30 days',
  'monitors.noData': 'no data',
  'monitors.latency': 'Latency',
  'monitors.results': 'Last results',
  'monitors.noResults': 'No results yet.',
  'monitors.r.at': 'Time',
  'monitors.r.location': 'Location',
  'monitors.r.outcome': 'Outcome',
  'monitors.r.code': 'Status code',
  'monitors.r.total': 'Total',
  'monitors.r.message': 'Message',
  'monitors.r.cert': 'Certificate: {days} days left',
  'monitors.since': 'since {time}',
  'monitors.target': 'Target',
  'monitors.every': 'every {s} s',
  'monitors.heartbeat': 'Heartbeat URL',
  'monitors.heartbeat.hidden': 'The URL holds a secret and is shown only when it is created. Rotate it to get a new one (the old one stops working).',
  'monitors.heartbeat.once': 'Copy this URL now: it is shown only once. Call it (GET or POST) from your job at least every interval.',
  'monitors.heartbeat.rotate': 'New heartbeat URL',
  'monitors.heartbeat.rotateConfirm': 'Make a new heartbeat URL? The current one stops working at once.',
  'monitors.heartbeat.lastPing': 'Last ping: {time}',
  'monitors.copy': 'Copy',
  'monitors.copied': 'Copied',
  'monitors.chart.empty': 'No checks to draw yet.',
  'monitors.chart.label': 'Response time of the last {n} checks in milliseconds (slowest {max} ms)',
  'monitors.type.http': 'HTTP(S)',
  'monitors.type.tcp': 'TCP port',
  'monitors.type.dns': 'DNS',
  'monitors.type.tls': 'TLS certificate',
  'monitors.type.icmp': 'Ping (ICMP)',
  'monitors.type.heartbeat': 'Heartbeat (push)',
  'monitors.f.name': 'Name',
  'monitors.f.type': 'Type',
  'monitors.f.typeFixed': 'The type cannot change; create a new monitor instead.',
  'monitors.f.request': 'Request',
  'monitors.f.url': 'URL',
  'monitors.f.method': 'Method',
  'monitors.f.headers': 'Headers',
  'monitors.f.headersHint': 'One per line: Name: value',
  'monitors.f.body': 'Request body',
  'monitors.f.basicUser': 'Basic auth user',
  'monitors.f.basicPassword': 'Basic auth password',
  'monitors.f.bearer': 'Bearer token',
  'monitors.f.secretKept': 'Set. Leave empty to keep it.',
  'monitors.f.followRedirects': 'Follow redirects',
  'monitors.f.verifyTls': 'Verify the TLS certificate',
  'monitors.f.target': 'Target',
  'monitors.f.host': 'Host',
  'monitors.f.dnsName': 'Name to look up',
  'monitors.f.port': 'Port',
  'monitors.f.serverName': 'Server name (SNI)',
  'monitors.f.dnsType': 'Record type',
  'monitors.f.dnsResolver': 'Resolver (empty: the system resolver)',
  'monitors.f.heartbeatHint': 'A heartbeat monitor waits for pings from your job; the ping URL is shown after saving.',
  'monitors.f.schedule': 'Schedule and rules',
  'monitors.f.interval': 'Interval (seconds)',
  'monitors.f.grace': 'Grace (seconds)',
  'monitors.f.timeout': 'Timeout (ms)',
  'monitors.f.degraded': 'Degraded above (ms)',
  'monitors.f.degradedHint': 'Empty: never degraded by slowness',
  'monitors.f.retries': 'Retries before down',
  'monitors.f.recovery': 'Recovery period (seconds)',
  'monitors.f.locations': 'Locations',
  'monitors.f.locationsHint': 'Comma separated; "local" is this server',
  'monitors.f.quorum': 'Quorum (locations that must agree)',
  'monitors.f.conditions': 'Conditions',
  'monitors.f.conditionsHint': 'One per line, e.g. [STATUS] == 200. Empty: the type\'s default.',
  'monitors.f.components': 'Components',
  'monitors.f.noComponents': 'No components to link yet.',
  'monitors.f.createIncidents': 'Open an incident automatically when down',
  'monitors.f.enabled': 'Enabled',
});
addMessages('de', {
  'monitors.title': 'Monitore',
  'monitors.new': 'Neuer Monitor',
  'monitors.create': 'Monitor anlegen',
  'monitors.edit': 'Monitor bearbeiten',
  'monitors.back': 'Alle Monitore',
  'monitors.empty': 'Noch keine Monitore. Ein Monitor prüft eine URL, einen Host oder einen Job und kann Komponenten-Status setzen.',
  'monitors.col.name': 'Name',
  'monitors.col.type': 'Art',
  'monitors.col.state': 'Zustand',
  'monitors.col.lastCheck': 'Letzte Prüfung',
  'monitors.col.uptime': 'Verfügbarkeit (30 Tage)',
  'monitors.never': 'nie',
  'monitors.disabled': 'Deaktiviert',
  'monitors.fromConfig': 'Aus der Konfigurationsdatei (hier nur lesbar)',
  'monitors.testNow': 'Jetzt prüfen',
  'monitors.testing': 'Prüfung läuft…',
  'monitors.testResult': 'Ergebnis der Prüfung',
  'monitors.delete': 'Löschen',
  'monitors.deleteConfirm': 'Monitor {name} löschen? Seine Ergebnisse werden ebenfalls gelöscht.',
  'monitors.enable': 'Aktivieren',
  'monitors.disable': 'Deaktivieren',
  'monitors.uptime': 'Verfügbarkeit',
  'monitors.uptime.1': '24 Stunden',
  'monitors.uptime.7': '7 Tage',
  'monitors.uptime.30': '30 Tage',
  'monitors.noData': 'keine Daten',
  'monitors.latency': 'Antwortzeit',
  'monitors.results': 'Letzte Ergebnisse',
  'monitors.noResults': 'Noch keine Ergebnisse.',
  'monitors.r.at': 'Zeit',
  'monitors.r.location': 'Standort',
  'monitors.r.outcome': 'Ergebnis',
  'monitors.r.code': 'Statuscode',
  'monitors.r.total': 'Gesamt',
  'monitors.r.message': 'Meldung',
  'monitors.r.cert': 'Zertifikat: noch {days} Tage gültig',
  'monitors.since': 'seit {time}',
  'monitors.target': 'Ziel',
  'monitors.every': 'alle {s} s',
  'monitors.heartbeat': 'Heartbeat-URL',
  'monitors.heartbeat.hidden': 'Die URL enthält ein Geheimnis und wird nur beim Erzeugen angezeigt. Erzeugen Sie eine neue, um sie zu sehen (die alte wird ungültig).',
  'monitors.heartbeat.once': 'Kopieren Sie diese URL jetzt: Sie wird nur einmal angezeigt. Rufen Sie sie (GET oder POST) aus Ihrem Job mindestens einmal pro Intervall auf.',
  'monitors.heartbeat.rotate': 'Neue Heartbeat-URL',
  'monitors.heartbeat.rotateConfirm': 'Neue Heartbeat-URL erzeugen? Die bisherige wird sofort ungültig.',
  'monitors.heartbeat.lastPing': 'Letzter Ping: {time}',
  'monitors.copy': 'Kopieren',
  'monitors.copied': 'Kopiert',
  'monitors.chart.empty': 'Noch keine Prüfungen zum Anzeigen.',
  'monitors.chart.label': 'Antwortzeit der letzten {n} Prüfungen in Millisekunden (langsamste {max} ms)',
  'monitors.type.http': 'HTTP(S)',
  'monitors.type.tcp': 'TCP-Port',
  'monitors.type.dns': 'DNS',
  'monitors.type.tls': 'TLS-Zertifikat',
  'monitors.type.icmp': 'Ping (ICMP)',
  'monitors.type.heartbeat': 'Heartbeat (Push)',
  'monitors.f.name': 'Name',
  'monitors.f.type': 'Art',
  'monitors.f.typeFixed': 'Die Art lässt sich nicht ändern; legen Sie stattdessen einen neuen Monitor an.',
  'monitors.f.request': 'Anfrage',
  'monitors.f.url': 'URL',
  'monitors.f.method': 'Methode',
  'monitors.f.headers': 'Header',
  'monitors.f.headersHint': 'Einer pro Zeile: Name: Wert',
  'monitors.f.body': 'Anfrage-Inhalt',
  'monitors.f.basicUser': 'Basic-Auth-Benutzer',
  'monitors.f.basicPassword': 'Basic-Auth-Passwort',
  'monitors.f.bearer': 'Bearer-Token',
  'monitors.f.secretKept': 'Gesetzt. Leer lassen, um es zu behalten.',
  'monitors.f.followRedirects': 'Weiterleitungen folgen',
  'monitors.f.verifyTls': 'TLS-Zertifikat prüfen',
  'monitors.f.target': 'Ziel',
  'monitors.f.host': 'Host',
  'monitors.f.dnsName': 'Abzufragender Name',
  'monitors.f.port': 'Port',
  'monitors.f.serverName': 'Servername (SNI)',
  'monitors.f.dnsType': 'Eintragstyp',
  'monitors.f.dnsResolver': 'Resolver (leer: der des Systems)',
  'monitors.f.heartbeatHint': 'Ein Heartbeat-Monitor wartet auf Pings Ihres Jobs; die Ping-URL erscheint nach dem Speichern.',
  'monitors.f.schedule': 'Zeitplan und Regeln',
  'monitors.f.interval': 'Intervall (Sekunden)',
  'monitors.f.grace': 'Karenzzeit (Sekunden)',
  'monitors.f.timeout': 'Zeitlimit (ms)',
  'monitors.f.degraded': 'Eingeschränkt ab (ms)',
  'monitors.f.degradedHint': 'Leer: Langsamkeit zählt nie als eingeschränkt',
  'monitors.f.retries': 'Wiederholungen vor „ausgefallen“',
  'monitors.f.recovery': 'Erholungszeit (Sekunden)',
  'monitors.f.locations': 'Standorte',
  'monitors.f.locationsHint': 'Durch Komma getrennt; „local“ ist dieser Server',
  'monitors.f.quorum': 'Quorum (Standorte, die übereinstimmen müssen)',
  'monitors.f.conditions': 'Bedingungen',
  'monitors.f.conditionsHint': 'Eine pro Zeile, z. B. [STATUS] == 200. Leer: Standard der Art.',
  'monitors.f.components': 'Komponenten',
  'monitors.f.noComponents': 'Noch keine Komponenten zum Verknüpfen.',
  'monitors.f.createIncidents': 'Bei Ausfall automatisch eine Störung eröffnen',
  'monitors.f.enabled': 'Aktiviert',
});

interface Uptime {
  uptime_percent: number | null;
  checks: number;
}

type ComponentRef = { id: string; name: string; group: boolean };

/** Heartbeat URLs returned by create/rotate, shown once on the monitor's page. */
const freshHeartbeat = new Map<string, string>();

function lastCheck(m: Monitor): string | null {
  let last: string | null = null;
  for (const l of Object.values(m.state?.locations ?? {})) {
    if (l.last_at && (!last || l.last_at > last)) last = l.last_at;
  }
  return last;
}

function stateOf(m: Monitor): string {
  if (!m.enabled) return 'paused';
  // The API reports "up" for a monitor that has not been checked yet; say so instead.
  const checked = m.state?.since || Object.keys(m.state?.locations ?? {}).length > 0 || m.state?.last_ping_at;
  return checked ? m.state.status : 'unknown';
}

function percent(u: Uptime | undefined): string {
  if (!u) return '…';
  if (u.uptime_percent === null || u.uptime_percent === undefined) return t('monitors.noData');
  return `${u.uptime_percent.toFixed(u.uptime_percent >= 99.995 ? 0 : 2)} %`;
}

function targetOf(m: Monitor): string {
  switch (m.type) {
    case 'http':
      return `${m.method ?? 'GET'} ${m.url ?? ''}`;
    case 'tcp':
    case 'tls':
      return `${m.host}:${m.port}`;
    case 'dns':
      return `${m.dns_record_type} ${m.host}`;
    case 'icmp':
      return m.host ?? '';
    default:
      return t('monitors.type.heartbeat');
  }
}

function since(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function CopyButton(props: { text: string }) {
  const [done, setDone] = useState(false);
  return (
    <Button
      class="btn-small"
      onClick={() => {
        const ok = () => {
          setDone(true);
          setTimeout(() => setDone(false), 2000);
        };
        if (navigator.clipboard) navigator.clipboard.writeText(props.text).then(ok, () => {});
      }}
    >
      {done ? t('monitors.copied') : t('monitors.copy')}
    </Button>
  );
}

function MonitorList() {
  const res = useResource<Monitor[]>('/api/v1/monitors', ['monitors']);
  const comps = useResource<ComponentRef[]>('/api/v1/components', ['page']);
  const [uptime, setUptime] = useState<Record<string, Uptime>>({});
  const [creating, setCreating] = useState(false);
  const mayEdit = can('responder');

  const ids = (res.data ?? []).map((m) => m.id).join(',');
  // Results arrive every few seconds; uptime over 30 days is fetched again at most once a minute.
  const fetched = useRef({ ids: '', at: 0 });
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  useEffect(() => {
    if (!ids) return;
    if (fetched.current.ids === ids && Date.now() - fetched.current.at < 60_000) return;
    fetched.current = { ids, at: Date.now() };
    const from = since(30);
    Promise.all(
      ids.split(',').map((id) =>
        api<Uptime>('GET', `/api/v1/monitors/${encodeURIComponent(id)}/uptime?since=${encodeURIComponent(from)}`).then(
          (u) => [id, u] as const,
          () => [id, { uptime_percent: null, checks: 0 }] as const,
        ),
      ),
    ).then((pairs) => {
      if (mounted.current) setUptime(Object.fromEntries(pairs));
    });
  }, [ids, res.data]);

  return (
    <div class="screen-monitors">
      <PageTitle title={t('monitors.title')}>
        {mayEdit ? (
          <Button kind="primary" onClick={() => setCreating(true)}>
            {t('monitors.new')}
          </Button>
        ) : null}
      </PageTitle>
      <ErrorBox error={res.error} />
      {res.loading && !res.data ? <Loading /> : null}
      {res.data && res.data.length === 0 ? <Empty text={t('monitors.empty')} /> : null}
      {res.data && res.data.length > 0 ? (
        <ul class="list monitor-list">
          {res.data.map((m) => {
            const last = lastCheck(m);
            return (
              <li data-id={m.id} key={m.id}>
                <div class="grow">
                  <Link href={`/monitors/${encodeURIComponent(m.id)}`} class="monitor-name">
                    {m.name}
                  </Link>
                  <div class="meta">
                    {t(`monitors.type.${m.type}`)} · {targetOf(m)}
                  </div>
                </div>
                <StatusBadge status={stateOf(m)} />
                <div class="monitor-facts">
                  <span>
                    <span class="muted">{t('monitors.col.lastCheck')}: </span>
                    {last ? formatTime(last) : t('monitors.never')}
                  </span>
                  <span>
                    <span class="muted">{t('monitors.col.uptime')}: </span>
                    {percent(uptime[m.id])}
                  </span>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      <Dialog open={creating} title={t('monitors.new')} onClose={() => setCreating(false)} wide>
        {creating ? (
          <MonitorForm
            monitor={null}
            components={comps.data ?? []}
            onCancel={() => setCreating(false)}
            onSaved={(m) => {
              if (m.heartbeat_url) freshHeartbeat.set(m.id, m.heartbeat_url);
              setCreating(false);
              navigate(`/monitors/${encodeURIComponent(m.id)}`);
            }}
          />
        ) : null}
      </Dialog>
    </div>
  );
}

function ResultRow(props: { r: CheckResult }) {
  const r = props.r;
  return (
    <tr>
      <td>{formatTime(r.at)}</td>
      <td>{r.location}</td>
      <td>
        <StatusBadge status={r.outcome} />
      </td>
      <td>{r.status_code || ''}</td>
      <td>{(r.total_us / 1000).toFixed(1)} ms</td>
      <td class="result-message">
        {r.message}
        {r.certificate_days_left !== null ? <div class="meta">{t('monitors.r.cert', { days: r.certificate_days_left })}</div> : null}
      </td>
    </tr>
  );
}

function MonitorDetail(props: { id: string }) {
  const path = `/api/v1/monitors/${encodeURIComponent(props.id)}`;
  const res = useResource<Monitor>(path, ['monitors']);
  const results = useResource<CheckResult[]>(`${path}/results?limit=200`, ['monitors']);
  const comps = useResource<ComponentRef[]>('/api/v1/components', ['page']);
  const [uptime, setUptime] = useState<Record<number, Uptime>>({});
  const [editing, setEditing] = useState(false);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<CheckResult | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [hbUrl, setHbUrl] = useState<string | null>(freshHeartbeat.get(props.id) ?? null);
  const mayEdit = can('responder');
  const m = res.data;

  const loadUptime = () => {
    for (const days of [1, 7, 30]) {
      api<Uptime>('GET', `${path}/uptime?since=${encodeURIComponent(since(days))}`).then(
        (u) => setUptime((old) => ({ ...old, [days]: u })),
        () => {},
      );
    }
  };
  useEffect(loadUptime, [path]);
  useLive(['monitors'], loadUptime);
  useEffect(() => {
    freshHeartbeat.delete(props.id);
  }, [props.id]);

  const act = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e);
    }
  };

  const testNow = () =>
    act(async () => {
      setTesting(true);
      setTest(null);
      try {
        setTest(await api<CheckResult>('POST', `${path}/check`));
      } finally {
        setTesting(false);
      }
      results.reload();
    });

  if (res.error && !m) {
    return (
      <div class="screen-monitors">
        <PageTitle title={t('monitors.title')} />
        <ErrorBox error={res.error} />
        <Link href="/monitors">← {t('monitors.back')}</Link>
      </div>
    );
  }
  if (!m) return <Loading />;
  const fromConfig = m.source === 'config';
  const canChange = mayEdit && !fromConfig;
  const recent = (results.data ?? []).slice(0, 25);

  return (
    <div class="screen-monitors monitor-detail" data-id={m.id}>
      <p class="back">
        <Link href="/monitors">← {t('monitors.back')}</Link>
      </p>
      <PageTitle title={m.name}>
        {mayEdit && m.type !== 'heartbeat' ? (
          <Button kind="primary" busy={testing} onClick={() => void testNow()}>
            {testing ? t('monitors.testing') : t('monitors.testNow')}
          </Button>
        ) : null}
        {canChange ? <Button onClick={() => setEditing(true)}>{t('ui.edit')}</Button> : null}
        {canChange ? (
          <Button
            onClick={() =>
              void act(async () => {
                await api('PATCH', path, { enabled: !m.enabled });
                res.reload();
              })
            }
          >
            {m.enabled ? t('monitors.disable') : t('monitors.enable')}
          </Button>
        ) : null}
        {canChange ? (
          <Button
            kind="danger"
            onClick={() =>
              void act(async () => {
                if (!window.confirm(t('monitors.deleteConfirm', { name: m.name }))) return;
                await api('DELETE', path);
                navigate('/monitors');
              })
            }
          >
            {t('monitors.delete')}
          </Button>
        ) : null}
      </PageTitle>
      <ErrorBox error={error} />
      {fromConfig ? <p class="hint">{t('monitors.fromConfig')}</p> : null}
      <div class="panel monitor-summary">
        <div class="row">
          <StatusBadge status={stateOf(m)} />
          {m.state?.since ? <span class="muted">{t('monitors.since', { time: formatTime(m.state.since) })}</span> : null}
          {m.state?.message ? <span>{m.state.message}</span> : null}
        </div>
        <dl class="monitor-facts-list">
          <dt>{t('monitors.col.type')}</dt>
          <dd>{t(`monitors.type.${m.type}`)}</dd>
          <dt>{t('monitors.target')}</dt>
          <dd class="break">
            {targetOf(m)} · {t('monitors.every', { s: m.interval_s })}
          </dd>
          {[1, 7, 30].map((d) => (
            <>
              <dt>
                {t('monitors.uptime')} ({t(`monitors.uptime.${d}`)})
              </dt>
              <dd>{percent(uptime[d])}</dd>
            </>
          ))}
        </dl>
      </div>
      {test ? (
        <section class="panel test-result" aria-live="polite">
          <h2>{t('monitors.testResult')}</h2>
          <div class="row">
            <StatusBadge status={test.outcome} />
            {test.status_code ? <span>HTTP {test.status_code}</span> : null}
            <span>{(test.total_us / 1000).toFixed(1)} ms</span>
            {test.message ? <span class="break">{test.message}</span> : null}
          </div>
        </section>
      ) : null}
      {m.type === 'heartbeat' ? (
        <section class="panel">
          <h2>{t('monitors.heartbeat')}</h2>
          {m.state?.last_ping_at ? (
            <p>{t('monitors.heartbeat.lastPing', { time: formatTime(m.state.last_ping_at) })}</p>
          ) : null}
          {hbUrl ? (
            <>
              <p class="hint">{t('monitors.heartbeat.once')}</p>
              <div class="row">
                <code class="secret break">{window.location.origin + hbUrl}</code>
                <CopyButton text={window.location.origin + hbUrl} />
              </div>
            </>
          ) : (
            <p class="hint">{t('monitors.heartbeat.hidden')}</p>
          )}
          {canChange ? (
            <Button
              class="rotate"
              onClick={() =>
                void act(async () => {
                  if (!window.confirm(t('monitors.heartbeat.rotateConfirm'))) return;
                  const r = await api<{ heartbeat_url: string }>('POST', `${path}/heartbeat-token`);
                  setHbUrl(r.heartbeat_url);
                })
              }
            >
              {t('monitors.heartbeat.rotate')}
            </Button>
          ) : null}
        </section>
      ) : null}
      {m.type !== 'heartbeat' ? (
        <section class="panel">
          <h2>{t('monitors.latency')}</h2>
          <LatencyChart results={results.data ?? []} />
        </section>
      ) : null}
      <section>
        <h2>{t('monitors.results')}</h2>
        <ErrorBox error={results.error} />
        {recent.length === 0 ? (
          <Empty text={t('monitors.noResults')} />
        ) : (
          <div class="table-wrap">
            <table class="results">
              <thead>
                <tr>
                  <th>{t('monitors.r.at')}</th>
                  <th>{t('monitors.r.location')}</th>
                  <th>{t('monitors.r.outcome')}</th>
                  <th>{t('monitors.r.code')}</th>
                  <th>{t('monitors.r.total')}</th>
                  <th>{t('monitors.r.message')}</th>
                </tr>
              </thead>
              <tbody>
                {recent.map((r) => (
                  <ResultRow r={r} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Dialog open={editing} title={t('monitors.edit')} onClose={() => setEditing(false)} wide>
        {editing ? (
          <MonitorForm
            monitor={m}
            components={comps.data ?? []}
            onCancel={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              res.reload();
            }}
          />
        ) : null}
      </Dialog>
    </div>
  );
}

export default function Monitors(props: Record<string, string>) {
  return props.id ? <MonitorDetail key={props.id} id={props.id} /> : <MonitorList />;
}
