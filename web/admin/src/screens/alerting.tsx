// Pieces shared by the alert intake and escalation screens (Services, Alerts, AlertDetail,
// Policies): the API's shapes, state and urgency badges, a copy button, polling while visible,
// and the names of users, teams and schedules that escalation targets point at.
import { useEffect, useRef, useState } from 'preact/hooks';
import { addMessages, t } from '../i18n';
import { useResource } from '../resource';
import { can, session } from '../session';
import { Button } from '../ui';
import './alerting.css';

addMessages('en', {
  'alerting.state.triggered': 'Triggered',
  'alerting.state.acknowledged': 'Acknowledged',
  'alerting.state.resolved': 'Resolved',
  'alerting.urgency.high': 'High urgency',
  'alerting.urgency.low': 'Low urgency',
  'alerting.silenced': 'Silenced',
  'alerting.copy': 'Copy',
  'alerting.copied': 'Copied',
  'alerting.target.user': 'User',
  'alerting.target.schedule': 'On call on schedule',
  'alerting.target.team': 'Team (all members)',
  'alerting.target.team_round_robin': 'Team (round robin)',
  'alerting.unknown': 'unknown ({id})',
});
addMessages('de', {
  'alerting.state.triggered': 'Ausgelöst',
  'alerting.state.acknowledged': 'Bestätigt',
  'alerting.state.resolved': 'Behoben',
  'alerting.urgency.high': 'Hohe Dringlichkeit',
  'alerting.urgency.low': 'Niedrige Dringlichkeit',
  'alerting.silenced': 'Stummgeschaltet',
  'alerting.copy': 'Kopieren',
  'alerting.copied': 'Kopiert',
  'alerting.target.user': 'Benutzer',
  'alerting.target.schedule': 'Bereitschaft laut Dienstplan',
  'alerting.target.team': 'Team (alle Mitglieder)',
  'alerting.target.team_round_robin': 'Team (reihum)',
  'alerting.unknown': 'unbekannt ({id})',
});

// ---- shapes of the API's JSON (web/api/openapi.json) ----

export type AlertState = 'triggered' | 'acknowledged' | 'resolved';
export type Dialect = 'pagerduty' | 'opsgenie' | 'alertmanager' | 'grafana' | 'generic';
export const kDialects: Dialect[] = ['pagerduty', 'opsgenie', 'alertmanager', 'grafana', 'generic'];

export interface Service {
  id: string;
  name: string;
  description: string;
  team: string;
  urgency: 'high' | 'low' | 'severity';
  group_window_seconds: number;
  group_labels: string[];
  ack_timeout_seconds: number;
  component_ids: string[];
  created_at: string;
  updated_at: string;
}

export interface IntegrationKey {
  id: string;
  service_id: string;
  name: string;
  dialect: Dialect | 'monitor';
  prefix: string;
  mapping: Record<string, unknown>;
  created_at: string;
  rotated_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  /** Only in the answer to create and rotate. */
  secret?: string;
}

export interface ServiceEscalation {
  service_id: string;
  escalation_policy_id: string | null;
  reescalate_after_minutes: number;
}

export interface ChangeEvent {
  id: string;
  summary: string;
  source: string;
  details: Record<string, unknown>;
  links: { href?: string; text?: string }[];
  occurred_at: string;
}

export interface LogEntry {
  seq: number;
  alert_id: string;
  incident_id: string;
  at: string;
  actor: string;
  via: string;
  action: string;
  text: string;
  data: Record<string, unknown>;
}

export interface Alert {
  id: string;
  tiny_id: number;
  service_id: string;
  incident_id: string;
  integration_key_id: string;
  dialect: string;
  dedup_key: string;
  group_key: string;
  state: AlertState;
  count: number;
  summary: string;
  description: string;
  source: string;
  entity: string;
  severity: string;
  priority: string;
  urgency: 'high' | 'low';
  details: Record<string, unknown>;
  labels: Record<string, string>;
  tags: string[];
  links: { href?: string; text?: string }[];
  silenced: boolean;
  snoozed_until: string | null;
  ack_expires_at: string | null;
  acknowledged_by: string;
  created_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  log?: LogEntry[];
}

export interface AlertIncident {
  id: string;
  number: number;
  service_id: string;
  group_key: string;
  title: string;
  state: AlertState;
  urgency: 'high' | 'low';
  alert_count: number;
  open_count: number;
  silenced: boolean;
  merged_into: string;
  created_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  alerts?: Alert[];
  log?: LogEntry[];
}

export type TargetType = 'user' | 'schedule' | 'team' | 'team_round_robin';
export const kTargetTypes: TargetType[] = ['user', 'schedule', 'team', 'team_round_robin'];

export interface PolicyLevel {
  targets: { type: TargetType; id: string }[];
  delay_minutes: number;
}

export interface Policy {
  id: string;
  name: string;
  description: string;
  levels: PolicyLevel[];
  repeat: number;
  created_at: string;
  updated_at: string;
}

export interface EscalationTimer {
  id: string;
  kind: string;
  epoch: number;
  level: number;
  pass: number;
  user_id: string;
  contact_method_id: string;
  due_at: string;
  state: string;
  outcome: string;
}

export interface NotificationAttempt {
  id: string;
  user_id: string;
  contact_method_id: string;
  channel: string;
  state: string;
  bundled_into: string;
  bundled_count: number;
  error: string;
  status: number;
  created_at: string;
  sent_at: string | null;
  answered_at: string | null;
  answer: string;
}

export interface IncidentEscalation {
  incident_id: string;
  policy: Policy | null;
  epoch?: number;
  epoch_kind?: string;
  current_level?: number;
  current_pass?: number;
  escalating: boolean;
  timers: EscalationTimer[];
  attempts: NotificationAttempt[];
}

/** Limits the server enforces (oncall/escalation.hpp). */
export const kMaxLevels = 20;
export const kMaxTargets = 20;
export const kMaxRepeat = 9;
export const kMaxDelayMinutes = 1440;

// ---- small components ----

const kStateTone: Record<string, string> = { triggered: 'crit', acknowledged: 'warn', resolved: 'ok' };

export function AlertStateBadge(props: { state: string }) {
  return (
    <span class={`badge badge-${kStateTone[props.state] ?? 'muted'}`} data-state={props.state}>
      {t(`alerting.state.${props.state}`)}
    </span>
  );
}

export function UrgencyBadge(props: { urgency: string }) {
  return (
    <span class={`badge badge-${props.urgency === 'high' ? 'bad' : 'muted'}`} data-urgency={props.urgency}>
      {t(`alerting.urgency.${props.urgency}`)}
    </span>
  );
}

export function CopyButton(props: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <Button
      class="btn-small"
      aria-label={props.label}
      onClick={() => {
        const ok = () => {
          setDone(true);
          setTimeout(() => setDone(false), 2000);
        };
        if (navigator.clipboard) navigator.clipboard.writeText(props.text).then(ok, () => {});
      }}
    >
      {done ? t('alerting.copied') : t('alerting.copy')}
    </Button>
  );
}

/**
 * Calls `fn` every `ms` while the page is visible, and at once when it becomes visible again.
 * For what the live stream does not announce (alerts arriving through the intake, pages sent
 * by the escalation engine).
 */
export function usePoll(fn: () => void, ms = 10_000): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const visible = () => document.visibilityState === 'visible';
    const timer = setInterval(() => {
      if (visible()) ref.current();
    }, ms);
    const onVisibility = () => {
      if (visible()) ref.current();
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [ms]);
}

export interface Named {
  id: string;
  name: string;
}

export interface Directory {
  users: Named[];
  teams: Named[];
  schedules: Named[];
  /** A readable name for a user, team or schedule id (the id itself when unknown). */
  name: (type: TargetType | 'user', id: string) => string;
  /** True when the full user list could be read (owners); others only know themselves. */
}

/**
 * Users (owners from the users list, everyone else from the directory of ids and names), teams
 * and schedules, for escalation targets and the people named in notification attempts.
 */
export function useDirectory(): Directory {
  const owner = can('owner');
  const usersRes = useResource<{ data: { id: string; name: string; email?: string }[] }>(
    owner ? '/api/v1/users' : '/api/v1/directory',
    ['users'],
  );
  const teamsRes = useResource<{ data: Named[] }>('/api/v1/teams', ['people']);
  const schedulesRes = useResource<{ data: Named[] }>('/api/v1/schedules', ['schedules']);
  const me = session.value?.user;
  const users: Named[] = (usersRes.data?.data ?? []).map((u) => ({ id: u.id, name: u.name || u.email || u.id }));
  if (me && !users.some((u) => u.id === me.id)) users.push({ id: me.id, name: me.name || me.email });
  const teams = teamsRes.data?.data ?? [];
  const schedules = schedulesRes.data?.data ?? [];
  const name = (type: TargetType | 'user', id: string) => {
    const list = type === 'user' ? users : type === 'schedule' ? schedules : teams;
    return list.find((x) => x.id === id)?.name ?? t('alerting.unknown', { id });
  };
  return { users, teams, schedules, name };
}

/** "5 min", "2 h 30 min", "1 d" from minutes. */
export function formatMinutes(m: number): string {
  if (m <= 0) return '0 min';
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  return [d ? `${d} d` : '', h ? `${h} h` : '', min ? `${min} min` : ''].filter(Boolean).join(' ');
}
