// Latency over time as inline SVG: one line through the successful checks' total time, red
// marks for failed checks. No chart library; the SVG scales to its container's width.
import { formatTime, t } from '../../i18n';

export interface CheckResult {
  monitor_id: string;
  location: string;
  at: string;
  outcome: 'up' | 'degraded' | 'down';
  error: string;
  message: string;
  status_code: number;
  dns_us: number | null;
  connect_us: number | null;
  tls_us: number | null;
  first_byte_us: number | null;
  total_us: number;
  certificate_days_left: number | null;
}

const W = 640;
const H = 180;
const PAD_L = 48;
const PAD_R = 8;
const PAD_T = 10;
const PAD_B = 24;

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * exp >= v) return m * exp;
  }
  return 10 * exp;
}

export function LatencyChart(props: { results: CheckResult[] }) {
  const points = props.results
    .map((r) => ({ t: new Date(r.at).getTime(), ms: r.total_us / 1000, outcome: r.outcome }))
    .filter((p) => !Number.isNaN(p.t))
    .sort((a, b) => a.t - b.t);
  if (points.length === 0) return <p class="empty">{t('monitors.chart.empty')}</p>;
  const t0 = points[0].t;
  const t1 = Math.max(points[points.length - 1].t, t0 + 1);
  const maxMs = niceMax(Math.max(...points.map((p) => p.ms), 1));
  const x = (ts: number) => PAD_L + ((ts - t0) / (t1 - t0)) * (W - PAD_L - PAD_R);
  const y = (ms: number) => PAD_T + (1 - ms / maxMs) * (H - PAD_T - PAD_B);
  const ok = points.filter((p) => p.outcome !== 'down');
  const line = ok.map((p) => `${x(p.t).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ');
  const ticks = [0, maxMs / 2, maxMs];
  const label = t('monitors.chart.label', {
    n: points.length,
    max: Math.round(Math.max(...points.map((p) => p.ms))),
  });
  return (
    <figure class="latency-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        {ticks.map((v) => (
          <g>
            <line class="grid" x1={PAD_L} x2={W - PAD_R} y1={y(v)} y2={y(v)} />
            <text class="axis" x={PAD_L - 4} y={y(v) + 4} text-anchor="end">
              {maxMs < 10 ? v.toFixed(1) : Math.round(v)}
            </text>
          </g>
        ))}
        <text class="axis" x={PAD_L} y={H - 6}>
          {formatTime(new Date(t0).toISOString())}
        </text>
        <text class="axis" x={W - PAD_R} y={H - 6} text-anchor="end">
          {formatTime(new Date(t1).toISOString())}
        </text>
        {ok.length > 1 ? <polyline class="line" points={line} /> : null}
        {points.map((p) =>
          p.outcome === 'down' ? (
            <line class="fail" x1={x(p.t)} x2={x(p.t)} y1={PAD_T} y2={H - PAD_B} />
          ) : (
            <circle class={p.outcome === 'degraded' ? 'dot degraded' : 'dot'} cx={x(p.t)} cy={y(p.ms)} r={2.5} />
          ),
        )}
      </svg>
      <figcaption class="hint">{label}</figcaption>
    </figure>
  );
}
