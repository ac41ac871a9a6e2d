// Shared by the on-call screens (On call, Schedules, People): API types, the user directory,
// time-zone helpers (no library: Intl does the zone math) and a copy-to-clipboard field.
import { useState } from 'preact/hooks';
import { addMessages, lang, t } from '../i18n';
import { useResource } from '../resource';
import { can, session } from '../session';
import { Button } from '../ui';

addMessages('en', {
  'oc.copy': 'Copy',
  'oc.copied': 'Copied',
  'oc.nobody': 'nobody',
  'oc.weekday.monday': 'Monday',
  'oc.weekday.tuesday': 'Tuesday',
  'oc.weekday.wednesday': 'Wednesday',
  'oc.weekday.thursday': 'Thursday',
  'oc.weekday.friday': 'Friday',
  'oc.weekday.saturday': 'Saturday',
  'oc.weekday.sunday': 'Sunday',
});
addMessages('de', {
  'oc.copy': 'Kopieren',
  'oc.copied': 'Kopiert',
  'oc.nobody': 'niemand',
  'oc.weekday.monday': 'Montag',
  'oc.weekday.tuesday': 'Dienstag',
  'oc.weekday.wednesday': 'Mittwoch',
  'oc.weekday.thursday': 'Donnerstag',
  'oc.weekday.friday': 'Freitag',
  'oc.weekday.saturday': 'Samstag',
  'oc.weekday.sunday': 'Sonntag',
});

export const kWeekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export interface Restriction {
  start_weekday: string | null;
  start_time: string;
  end_weekday: string | null;
  end_time: string;
}

export interface Layer {
  name: string;
  kind: 'daily' | 'weekly' | 'custom';
  start: string;
  end: string | null;
  turn_length_hours?: number;
  handoff_time?: string;
  handoff_weekday?: string | null;
  user_ids: string[];
  restrictions: Restriction[];
}

export interface Override {
  id: string;
  user_id: string;
  start: string;
  end: string;
}

export interface Schedule {
  id: string;
  name: string;
  description: string;
  time_zone: string;
  team_id: string;
  layers: Layer[];
  overrides: Override[];
}

export interface Shift {
  user_id: string;
  user_name: string;
  start: string;
  end: string;
  layer: number;
  override: boolean;
  schedule_id?: string;
  schedule_name?: string;
}

export interface OnCallEntry {
  schedule_id: string;
  schedule_name: string;
  at: string;
  users: { id: string; name: string }[];
  until: string | null;
}

export interface DirectoryUser {
  id: string;
  name: string;
  email: string;
}

/**
 * The users the signed-in person can pick from. Owners read the full list (with e-mails); the
 * others read the directory (ids and names only).
 */
export function useDirectory(extra: { id: string; name: string }[] = []): DirectoryUser[] {
  const owner = can('owner');
  const res = useResource<{ data: DirectoryUser[] }>(owner ? '/api/v1/users' : '/api/v1/directory', ['users']);
  const me = session.value?.user;
  const out = new Map<string, DirectoryUser>();
  for (const u of res.data?.data ?? []) {
    out.set(u.id, { id: u.id, name: u.name || u.email || u.id, email: u.email ?? '' });
  }
  if (me && !out.has(me.id)) out.set(me.id, { id: me.id, name: me.name || me.email, email: me.email });
  for (const e of extra) if (e.id && !out.has(e.id)) out.set(e.id, { id: e.id, name: e.name || e.id, email: '' });
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function nameOf(users: DirectoryUser[], id: string): string {
  return users.find((u) => u.id === id)?.name ?? id;
}

/** IANA zone names: the browser's list where it has one, else a short list of common zones. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  let zones: string[] = [];
  try {
    zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  } catch {
    zones = [];
  }
  if (zones.length === 0) {
    zones = ['Europe/Berlin', 'Europe/London', 'Europe/Paris', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney'];
  }
  if (!zones.includes('UTC')) zones = ['UTC', ...zones];
  return zones;
}

export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Offset of `zone` from UTC at the instant `ms`, in milliseconds. */
function zoneOffset(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** "2026-03-01T09:00" read as wall time in `zone` -> ISO 8601 UTC ("...Z"); "" if unreadable. */
export function zonedToIso(local: string, zone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!m) return '';
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let ms = guess - zoneOffset(guess, zone);
  // Once more with the offset at the found instant (daylight-saving edges).
  ms = guess - zoneOffset(ms, zone);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An ISO instant as "YYYY-MM-DDTHH:MM" wall time in `zone` (for datetime-local inputs). */
export function isoToZoned(iso: string, zone: string): string {
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms + zoneOffset(ms, zone));
  return d.toISOString().slice(0, 16);
}

/** Date and time of an instant, shown in `zone` (default: the browser's). */
export function formatIn(iso: string, zone?: string, withWeekday = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(lang.value === 'de' ? 'de-DE' : 'en-GB', {
      timeZone: zone,
      weekday: withWeekday ? 'short' : undefined,
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }).format(d);
  } catch {
    return iso;
  }
}

/** Read-only text with a copy button (feed URLs). */
export function CopyField(props: { id: string; label: string; text: string }) {
  const [done, setDone] = useState(false);
  return (
    <div class="copy-field">
      <label for={props.id}>{props.label}</label>
      <div class="row">
        <input id={props.id} class="copy-text" type="text" readOnly value={props.text} onFocus={(e) => e.currentTarget.select()} />
        <Button
          class="btn-small"
          onClick={() => {
            const ok = () => {
              setDone(true);
              window.setTimeout(() => setDone(false), 2000);
            };
            if (navigator.clipboard) navigator.clipboard.writeText(props.text).then(ok, () => {});
          }}
        >
          {done ? t('oc.copied') : t('oc.copy')}
        </Button>
      </div>
    </div>
  );
}

/** An absolute URL on this server for a path the API returned. */
export function absolute(path: string): string {
  return new URL(path, window.location.origin).toString();
}
