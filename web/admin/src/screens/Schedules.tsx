// Schedules: list; create/edit with layers (daily, weekly or custom rotation, start, handoff,
// ordered participants, restrictions), time zone; overrides; a two-week timeline of the final
// schedule and of each layer, drawn with CSS from the server's shifts endpoint. Responders and
// owners write, stakeholders read.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, t } from '../i18n';
import { useResource } from '../resource';
import { navigate } from '../router';
import { can } from '../session';
import { Button, Empty, ErrorBox, Field, Link, Loading, PageTitle } from '../ui';
import { FeedPanel } from './OnCall';
import {
  browserZone,
  formatIn,
  isoToZoned,
  kWeekdays,
  nameOf,
  timeZones,
  useDirectory,
  zonedToIso,
  type DirectoryUser,
  type Layer,
  type Restriction,
  type Schedule,
  type Shift,
} from './oncall-common';
import './oncall.css';

addMessages('en', {
  'sched.title': 'Schedules',
  'sched.new': 'New schedule',
  'sched.empty': 'No schedules yet. A schedule says who is on call when.',
  'sched.layers': '{n} layers',
  'sched.name': 'Name',
  'sched.description': 'Description',
  'sched.zone': 'Time zone',
  'sched.zoneHint': 'Handoffs and restrictions are in this zone (daylight saving included).',
  'sched.team': 'Team',
  'sched.noTeam': '(no team)',
  'sched.layer': 'Layer {n}',
  'sched.layerName': 'Layer name',
  'sched.kind': 'Rotation',
  'sched.kind.daily': 'Daily',
  'sched.kind.weekly': 'Weekly',
  'sched.kind.custom': 'Custom length',
  'sched.start': 'Starts',
  'sched.end': 'Ends (optional)',
  'sched.turnHours': 'Turn length (hours)',
  'sched.handoffTime': 'Handoff time',
  'sched.handoffDay': 'Handoff day',
  'sched.participants': 'Participants (in order)',
  'sched.addParticipant': 'Add participant',
  'sched.pick': 'Choose a person…',
  'sched.up': 'Up',
  'sched.down': 'Down',
  'sched.remove': 'Remove',
  'sched.removeWindow': 'Remove window {n}',
  'sched.moveUp': 'Move {name} up',
  'sched.moveDown': 'Move {name} down',
  'sched.removeName': 'Remove {name}',
  'sched.restrictions': 'Restrictions',
  'sched.restrictionsHint': 'Without restrictions the layer is always on. With them, only inside these windows.',
  'sched.everyDay': 'Every day',
  'sched.fromDay': 'Window {n}: first day',
  'sched.fromTime': 'Window {n}: from',
  'sched.toDay': 'Window {n}: last day',
  'sched.toTime': 'Window {n}: to',
  'sched.from': 'From',
  'sched.to': 'To',
  'sched.preset.weekdays': '+ Weekdays 09–17',
  'sched.preset.nights': '+ Nights 18–08',
  'sched.preset.weekends': '+ Weekends',
  'sched.preset.custom': '+ Window',
  'sched.addLayer': 'Add layer',
  'sched.removeLayer': 'Remove layer',
  'sched.laterWins': 'Later layers win where they have someone; overrides win over all layers.',
  'sched.create': 'Create schedule',
  'sched.saveChanges': 'Save schedule',
  'sched.delete': 'Delete schedule',
  'sched.deleteConfirm': 'Delete the schedule {name}? Escalation policies that page it will find nobody.',
  'sched.edit': 'Edit',
  'sched.timeline': 'Next 2 weeks',
  'sched.final': 'Final schedule',
  'sched.overrides': 'Overrides',
  'sched.overridesEmpty': 'No overrides.',
  'sched.override.who': 'Who',
  'sched.override.add': 'Add override',
  'sched.override.delete': 'Delete override',
  'sched.override.deleteConfirm': 'Delete this override?',
  'sched.feed': 'Calendar feed of this schedule',
  'sched.noUsers': 'Pick at least one participant for each layer.',
  'sched.nobody': 'nobody',
  'sched.inZone': 'Times in {zone}',
  'sched.back': 'All schedules',
});
addMessages('de', {
  'sched.title': 'Dienstpläne',
  'sched.new': 'Neuer Dienstplan',
  'sched.empty': 'Noch keine Dienstpläne. Ein Dienstplan sagt, wer wann Bereitschaft hat.',
  'sched.layers': '{n} Ebenen',
  'sched.name': 'Name',
  'sched.description': 'Beschreibung',
  'sched.zone': 'Zeitzone',
  'sched.zoneHint': 'Übergaben und Einschränkungen gelten in dieser Zone (mit Sommerzeit).',
  'sched.team': 'Team',
  'sched.noTeam': '(kein Team)',
  'sched.layer': 'Ebene {n}',
  'sched.layerName': 'Name der Ebene',
  'sched.kind': 'Rotation',
  'sched.kind.daily': 'Täglich',
  'sched.kind.weekly': 'Wöchentlich',
  'sched.kind.custom': 'Eigene Dauer',
  'sched.start': 'Beginnt',
  'sched.end': 'Endet (optional)',
  'sched.turnHours': 'Schichtdauer (Stunden)',
  'sched.handoffTime': 'Übergabezeit',
  'sched.handoffDay': 'Übergabetag',
  'sched.participants': 'Teilnehmer (in Reihenfolge)',
  'sched.addParticipant': 'Teilnehmer hinzufügen',
  'sched.pick': 'Person wählen…',
  'sched.up': 'Hoch',
  'sched.down': 'Runter',
  'sched.remove': 'Entfernen',
  'sched.removeWindow': 'Zeitfenster {n} entfernen',
  'sched.moveUp': '{name} nach oben',
  'sched.moveDown': '{name} nach unten',
  'sched.removeName': '{name} entfernen',
  'sched.restrictions': 'Einschränkungen',
  'sched.restrictionsHint': 'Ohne Einschränkungen gilt die Ebene immer, sonst nur in diesen Zeitfenstern.',
  'sched.everyDay': 'Jeden Tag',
  'sched.fromDay': 'Zeitfenster {n}: erster Tag',
  'sched.fromTime': 'Zeitfenster {n}: von',
  'sched.toDay': 'Zeitfenster {n}: letzter Tag',
  'sched.toTime': 'Zeitfenster {n}: bis',
  'sched.from': 'Von',
  'sched.to': 'Bis',
  'sched.preset.weekdays': '+ Werktags 09–17',
  'sched.preset.nights': '+ Nachts 18–08',
  'sched.preset.weekends': '+ Wochenende',
  'sched.preset.custom': '+ Zeitfenster',
  'sched.addLayer': 'Ebene hinzufügen',
  'sched.removeLayer': 'Ebene entfernen',
  'sched.laterWins': 'Spätere Ebenen gewinnen, wo sie jemanden haben; Vertretungen gewinnen über alle Ebenen.',
  'sched.create': 'Dienstplan anlegen',
  'sched.saveChanges': 'Dienstplan speichern',
  'sched.delete': 'Dienstplan löschen',
  'sched.deleteConfirm': 'Den Dienstplan {name} löschen? Eskalationsrichtlinien, die ihn rufen, finden dann niemanden.',
  'sched.edit': 'Bearbeiten',
  'sched.timeline': 'Nächste 2 Wochen',
  'sched.final': 'Endgültiger Plan',
  'sched.overrides': 'Vertretungen',
  'sched.overridesEmpty': 'Keine Vertretungen.',
  'sched.override.who': 'Wer',
  'sched.override.add': 'Vertretung hinzufügen',
  'sched.override.delete': 'Vertretung löschen',
  'sched.override.deleteConfirm': 'Diese Vertretung löschen?',
  'sched.feed': 'Kalender-Abo dieses Dienstplans',
  'sched.noUsers': 'Wählen Sie für jede Ebene mindestens einen Teilnehmer.',
  'sched.nobody': 'niemand',
  'sched.inZone': 'Zeiten in {zone}',
  'sched.back': 'Alle Dienstpläne',
});

const kDay = 24 * 3600 * 1000;

// ---- editor state (times as wall clock in the schedule's zone) ----

interface LayerDraft {
  name: string;
  kind: 'daily' | 'weekly' | 'custom';
  start: string; // "YYYY-MM-DDTHH:MM" in the schedule's zone
  end: string;
  turn_length_hours: string;
  handoff_time: string;
  handoff_weekday: string;
  user_ids: string[];
  restrictions: Restriction[];
}

function todayMidnight(zone: string): string {
  return `${isoToZoned(new Date().toISOString(), zone).slice(0, 10)}T00:00`;
}

function newLayer(zone: string, n: number): LayerDraft {
  return {
    name: t('sched.layer', { n }),
    kind: 'weekly',
    start: todayMidnight(zone),
    end: '',
    turn_length_hours: '12',
    handoff_time: '09:00',
    handoff_weekday: 'monday',
    user_ids: [],
    restrictions: [],
  };
}

function toDraft(l: Layer, zone: string): LayerDraft {
  return {
    name: l.name,
    kind: l.kind,
    start: isoToZoned(l.start, zone),
    end: l.end ? isoToZoned(l.end, zone) : '',
    turn_length_hours: String(l.turn_length_hours ?? 12),
    handoff_time: l.handoff_time ?? '09:00',
    handoff_weekday: l.handoff_weekday ?? 'monday',
    user_ids: [...l.user_ids],
    restrictions: l.restrictions.map((r) => ({ ...r })),
  };
}

function fromDraft(d: LayerDraft, zone: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: d.name,
    kind: d.kind,
    start: zonedToIso(d.start, zone) || d.start,
    end: d.end ? zonedToIso(d.end, zone) || d.end : null,
    user_ids: d.user_ids,
    restrictions: d.restrictions,
  };
  if (d.kind === 'custom') out.turn_length_hours = Number(d.turn_length_hours);
  else out.handoff_time = d.handoff_time;
  if (d.kind === 'weekly') out.handoff_weekday = d.handoff_weekday;
  return out;
}

function move<T>(list: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (j < 0 || j >= list.length) return list;
  const out = [...list];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

function Participants(props: { prefix: string; ids: string[]; users: DirectoryUser[]; onChange: (ids: string[]) => void }) {
  const { ids, users } = props;
  const free = users.filter((u) => !ids.includes(u.id));
  return (
    <fieldset class="oc-fieldset">
      <legend>{t('sched.participants')}</legend>
      <ol class="oc-participants">
        {ids.map((id, i) => {
          const name = nameOf(users, id);
          return (
            <li key={id} data-user={id}>
              <span class="grow">{name}</span>
              <Button class="btn-small" aria-label={t('sched.moveUp', { name })} disabled={i === 0} onClick={() => props.onChange(move(ids, i, -1))}>
                ↑
              </Button>
              <Button
                class="btn-small"
                aria-label={t('sched.moveDown', { name })}
                disabled={i === ids.length - 1}
                onClick={() => props.onChange(move(ids, i, 1))}
              >
                ↓
              </Button>
              <Button class="btn-small" kind="link" aria-label={t('sched.removeName', { name })} onClick={() => props.onChange(ids.filter((x) => x !== id))}>
                ×
              </Button>
            </li>
          );
        })}
      </ol>
      {free.length > 0 ? (
        <select
          id={`${props.prefix}-add`}
          aria-label={t('sched.addParticipant')}
          value=""
          onChange={(e) => {
            const v = e.currentTarget.value;
            if (v) props.onChange([...ids, v]);
            e.currentTarget.value = '';
          }}
        >
          <option value="">{t('sched.pick')}</option>
          {free.map((u) => (
            <option value={u.id}>{u.email ? `${u.name} (${u.email})` : u.name}</option>
          ))}
        </select>
      ) : null}
    </fieldset>
  );
}

function WeekdaySelect(props: { id: string; label: string; value: string | null; allowEvery: boolean; onChange: (v: string | null) => void }) {
  return (
    <select id={props.id} aria-label={props.label} value={props.value ?? ''} onChange={(e) => props.onChange(e.currentTarget.value || null)}>
      {props.allowEvery ? <option value="">{t('sched.everyDay')}</option> : null}
      {kWeekdays.map((d) => (
        <option value={d}>{t(`oc.weekday.${d}`)}</option>
      ))}
    </select>
  );
}

function Restrictions(props: { prefix: string; list: Restriction[]; onChange: (l: Restriction[]) => void }) {
  const { list } = props;
  const set = (i: number, patch: Partial<Restriction>) => {
    const out = list.map((r, j) => (j === i ? { ...r, ...patch } : r));
    props.onChange(out);
  };
  const weekdays = kWeekdays.slice(0, 5).map((d) => ({ start_weekday: d, start_time: '09:00', end_weekday: d, end_time: '17:00' }));
  return (
    <fieldset class="oc-fieldset">
      <legend>{t('sched.restrictions')}</legend>
      <p class="hint">{t('sched.restrictionsHint')}</p>
      {list.map((r, i) => {
        const p = `${props.prefix}-r${i}`;
        const every = r.start_weekday === null;
        return (
          <div class="oc-restriction row" key={i}>
            <span>{t('sched.from')}</span>
            <WeekdaySelect
              id={`${p}-sd`}
              label={t('sched.fromDay', { n: i + 1 })}
              value={r.start_weekday}
              allowEvery
              onChange={(v) => set(i, v === null ? { start_weekday: null, end_weekday: null } : { start_weekday: v, end_weekday: r.end_weekday ?? v })}
            />
            <input type="time" aria-label={t('sched.fromTime', { n: i + 1 })} value={r.start_time} onInput={(e) => set(i, { start_time: e.currentTarget.value })} />
            <span>{t('sched.to')}</span>
            {every ? null : (
              <WeekdaySelect id={`${p}-ed`} label={t('sched.toDay', { n: i + 1 })} value={r.end_weekday} allowEvery={false} onChange={(v) => set(i, { end_weekday: v })} />
            )}
            <input type="time" aria-label={t('sched.toTime', { n: i + 1 })} value={r.end_time} onInput={(e) => set(i, { end_time: e.currentTarget.value })} />
            <Button class="btn-small" kind="link" aria-label={t('sched.removeWindow', { n: i + 1 })} onClick={() => props.onChange(list.filter((_, j) => j !== i))}>
              ×
            </Button>
          </div>
        );
      })}
      <div class="row">
        <Button class="btn-small" onClick={() => props.onChange([...list, ...weekdays])}>
          {t('sched.preset.weekdays')}
        </Button>
        <Button class="btn-small" onClick={() => props.onChange([...list, { start_weekday: null, start_time: '18:00', end_weekday: null, end_time: '08:00' }])}>
          {t('sched.preset.nights')}
        </Button>
        <Button
          class="btn-small"
          onClick={() => props.onChange([...list, { start_weekday: 'saturday', start_time: '00:00', end_weekday: 'monday', end_time: '00:00' }])}
        >
          {t('sched.preset.weekends')}
        </Button>
        <Button class="btn-small" onClick={() => props.onChange([...list, { start_weekday: null, start_time: '09:00', end_weekday: null, end_time: '17:00' }])}>
          {t('sched.preset.custom')}
        </Button>
      </div>
    </fieldset>
  );
}

function LayerEditor(props: { index: number; layer: LayerDraft; users: DirectoryUser[]; onChange: (l: LayerDraft) => void; onRemove?: () => void }) {
  const { layer: l, index } = props;
  const p = `layer${index}`;
  const set = (patch: Partial<LayerDraft>) => props.onChange({ ...l, ...patch });
  return (
    <div class="panel oc-layer" data-layer={index}>
      <div class="section-head">
        <h3>{t('sched.layer', { n: index + 1 })}</h3>
        {props.onRemove ? (
          <Button kind="link" class="btn-small" onClick={props.onRemove}>
            {t('sched.removeLayer')}
          </Button>
        ) : null}
      </div>
      <div class="form-grid">
        <Field id={`${p}-name`} label={t('sched.layerName')}>
          <input id={`${p}-name`} type="text" maxLength={100} value={l.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </Field>
        <Field id={`${p}-kind`} label={t('sched.kind')}>
          <select id={`${p}-kind`} value={l.kind} onChange={(e) => set({ kind: e.currentTarget.value as LayerDraft['kind'] })}>
            {(['daily', 'weekly', 'custom'] as const).map((k) => (
              <option value={k}>{t(`sched.kind.${k}`)}</option>
            ))}
          </select>
        </Field>
        <Field id={`${p}-start`} label={t('sched.start')}>
          <input id={`${p}-start`} type="datetime-local" required value={l.start} onInput={(e) => set({ start: e.currentTarget.value })} />
        </Field>
        <Field id={`${p}-end`} label={t('sched.end')}>
          <input id={`${p}-end`} type="datetime-local" value={l.end} onInput={(e) => set({ end: e.currentTarget.value })} />
        </Field>
        {l.kind === 'custom' ? (
          <Field id={`${p}-hours`} label={t('sched.turnHours')}>
            <input id={`${p}-hours`} type="number" min={1} max={8760} value={l.turn_length_hours} onInput={(e) => set({ turn_length_hours: e.currentTarget.value })} />
          </Field>
        ) : (
          <Field id={`${p}-handoff`} label={t('sched.handoffTime')}>
            <input id={`${p}-handoff`} type="time" value={l.handoff_time} onInput={(e) => set({ handoff_time: e.currentTarget.value })} />
          </Field>
        )}
        {l.kind === 'weekly' ? (
          <Field id={`${p}-day`} label={t('sched.handoffDay')}>
            <WeekdaySelect id={`${p}-day`} label={t('sched.handoffDay')} value={l.handoff_weekday} allowEvery={false} onChange={(v) => set({ handoff_weekday: v ?? 'monday' })} />
          </Field>
        ) : null}
      </div>
      <Participants prefix={p} ids={l.user_ids} users={props.users} onChange={(ids) => set({ user_ids: ids })} />
      <Restrictions prefix={p} list={l.restrictions} onChange={(r) => set({ restrictions: r })} />
    </div>
  );
}

function ScheduleEditor(props: { schedule?: Schedule; known: { id: string; name: string }[]; onDone: (id?: string) => void }) {
  const s = props.schedule;
  const [name, setName] = useState(s?.name ?? '');
  const [description, setDescription] = useState(s?.description ?? '');
  const [zone, setZone] = useState(s?.time_zone ?? browserZone());
  const [teamId, setTeamId] = useState(s?.team_id ?? '');
  const [layers, setLayers] = useState<LayerDraft[]>(() => (s ? s.layers.map((l) => toDraft(l, s.time_zone)) : [newLayer(zone, 1)]));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const users = useDirectory(props.known);
  const teams = useResource<{ data: { id: string; name: string }[] }>('/api/v1/teams', ['people']);
  const zones = timeZones();

  const submit = async (e: Event) => {
    e.preventDefault();
    if (layers.some((l) => l.user_ids.length === 0)) {
      setError(new Error(t('sched.noUsers')));
      return;
    }
    setBusy(true);
    setError(undefined);
    const body = { name, description, time_zone: zone, team_id: teamId, layers: layers.map((l) => fromDraft(l, zone)) };
    try {
      const saved = s
        ? await api<Schedule>('PATCH', `/api/v1/schedules/${encodeURIComponent(s.id)}`, body)
        : await api<Schedule>('POST', '/api/v1/schedules', body);
      props.onDone(saved.id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="oc-editor" onSubmit={submit}>
      <div class="form-grid">
        <Field id="sched-name" label={t('sched.name')}>
          <input id="sched-name" type="text" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="sched-zone" label={t('sched.zone')} hint={t('sched.zoneHint')}>
          <select id="sched-zone" value={zone} onChange={(e) => setZone(e.currentTarget.value)}>
            {(zones.includes(zone) ? zones : [zone, ...zones]).map((z) => (
              <option value={z}>{z}</option>
            ))}
          </select>
        </Field>
        <Field id="sched-team" label={t('sched.team')}>
          <select id="sched-team" value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
            <option value="">{t('sched.noTeam')}</option>
            {(teams.data?.data ?? []).map((tm) => (
              <option value={tm.id}>{tm.name}</option>
            ))}
          </select>
        </Field>
      </div>
      <Field id="sched-description" label={t('sched.description')}>
        <textarea id="sched-description" rows={2} maxLength={2000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      <p class="hint">{t('sched.laterWins')}</p>
      {layers.map((l, i) => (
        <LayerEditor
          key={i}
          index={i}
          layer={l}
          users={users}
          onChange={(nl) => setLayers(layers.map((x, j) => (j === i ? nl : x)))}
          onRemove={layers.length > 1 ? () => setLayers(layers.filter((_, j) => j !== i)) : undefined}
        />
      ))}
      <div class="form-actions">
        <Button onClick={() => setLayers([...layers, newLayer(zone, layers.length + 1)])}>{t('sched.addLayer')}</Button>
      </div>
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {s ? t('sched.saveChanges') : t('sched.create')}
        </Button>
        <Button onClick={() => props.onDone()}>{t('ui.cancel')}</Button>
      </div>
    </form>
  );
}

// ---- timeline ----

function colourOf(id: string, ids: string[]): string {
  const i = ids.indexOf(id);
  return `oc-c${(i < 0 ? 0 : i) % 8}`;
}

function Track(props: { label: string; shifts: Shift[]; from: number; to: number; ids: string[]; zone: string; kind: string }) {
  const span = props.to - props.from;
  return (
    <div class="oc-track" data-track={props.kind}>
      <div class="oc-track-label">{props.label}</div>
      <div class="oc-bar">
        {props.shifts.map((sh) => {
          const a = Math.max(new Date(sh.start).getTime(), props.from);
          const b = Math.min(new Date(sh.end).getTime(), props.to);
          if (b <= a) return null;
          const left = ((a - props.from) / span) * 100;
          const width = ((b - a) / span) * 100;
          const who = sh.user_name || sh.user_id;
          const title = `${who}: ${formatIn(sh.start, props.zone, true)} – ${formatIn(sh.end, props.zone, true)}`;
          return (
            <div
              class={`oc-seg ${sh.override ? 'oc-override' : colourOf(sh.user_id, props.ids)}`}
              style={{ left: `${left}%`, width: `${width}%` }}
              title={title}
              data-user={sh.user_id}
            >
              <span class="oc-seg-text">{who}</span>
              <span class="sr-only">{title}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

interface ShiftsAnswer {
  from: string;
  to: string;
  shifts: Shift[];
  layers: { layer: number; name: string; shifts: Shift[] }[];
}

function Timeline(props: { schedule: Schedule; reloadKey: number }) {
  const s = props.schedule;
  // From the start of the current hour: a stable path between renders.
  const [from] = useState(() => Math.floor(Date.now() / 3600000) * 3600000);
  const to = from + 14 * kDay;
  const res = useResource<ShiftsAnswer>(
    `/api/v1/schedules/${encodeURIComponent(s.id)}/shifts?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&k=${props.reloadKey}`,
    ['schedules'],
  );
  const ids = [...new Set(s.layers.flatMap((l) => l.user_ids))];
  const ticks: number[] = [];
  for (let d = 1; d < 14; d++) ticks.push(from + d * kDay);
  return (
    <section class="oc-section">
      <h2>{t('sched.timeline')}</h2>
      <p class="hint">{t('sched.inZone', { zone: s.time_zone })}</p>
      <ErrorBox error={res.error} />
      {res.loading && !res.data ? <Loading /> : null}
      {res.data ? (
        <div class="oc-timeline">
          <div class="oc-track oc-ticks" aria-hidden="true">
            <div class="oc-track-label" />
            <div class="oc-bar">
              {ticks.map((tk, i) => (
                <span class="oc-tick" style={{ left: `${((tk - from) / (to - from)) * 100}%` }}>
                  {i % 2 === 1 ? formatIn(new Date(tk).toISOString(), s.time_zone).split(',')[0] : ''}
                </span>
              ))}
            </div>
          </div>
          <Track label={t('sched.final')} shifts={res.data.shifts} from={from} to={to} ids={ids} zone={s.time_zone} kind="final" />
          {res.data.layers.map((l) => (
            <Track label={l.name || t('sched.layer', { n: l.layer + 1 })} shifts={l.shifts} from={from} to={to} ids={ids} zone={s.time_zone} kind={`layer-${l.layer}`} />
          ))}
        </div>
      ) : null}
    </section>
  );
}

// ---- overrides ----

function Overrides(props: { schedule: Schedule; users: DirectoryUser[]; onChange: () => void }) {
  const s = props.schedule;
  const write = can('responder');
  const zone = s.time_zone;
  const [who, setWho] = useState('');
  const [start, setStart] = useState(() => isoToZoned(new Date(Math.floor(Date.now() / 3600000) * 3600000).toISOString(), zone));
  const [end, setEnd] = useState(() => isoToZoned(new Date(Math.floor(Date.now() / 3600000) * 3600000 + 8 * 3600000).toISOString(), zone));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/api/v1/schedules/${encodeURIComponent(s.id)}/overrides`, {
        user_id: who,
        start: zonedToIso(start, zone) || start,
        end: zonedToIso(end, zone) || end,
      });
      props.onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (oid: string) => {
    if (!window.confirm(t('sched.override.deleteConfirm'))) return;
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/schedules/${encodeURIComponent(s.id)}/overrides/${encodeURIComponent(oid)}`);
      props.onChange();
    } catch (err) {
      setError(err);
    }
  };
  const list = [...s.overrides].sort((a, b) => a.start.localeCompare(b.start));
  return (
    <section class="oc-section">
      <h2>{t('sched.overrides')}</h2>
      {list.length === 0 ? <Empty text={t('sched.overridesEmpty')} /> : null}
      {list.length > 0 ? (
        <ul class="list oc-overrides">
          {list.map((o) => (
            <li key={o.id} data-id={o.id}>
              <div class="grow">
                <div class="oc-schedule-name">{nameOf(props.users, o.user_id)}</div>
                <div class="meta">
                  {formatIn(o.start, zone, true)} – {formatIn(o.end, zone, true)}
                </div>
              </div>
              {write ? (
                <Button class="btn-small" kind="danger" onClick={() => void remove(o.id)}>
                  {t('sched.override.delete')}
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {write ? (
        <form class="panel oc-override-form" onSubmit={add}>
          <div class="form-grid">
            <Field id="ovr-who" label={t('sched.override.who')}>
              <select id="ovr-who" required value={who} onChange={(e) => setWho(e.currentTarget.value)}>
                <option value="">{t('sched.pick')}</option>
                {props.users.map((u) => (
                  <option value={u.id}>{u.name}</option>
                ))}
              </select>
            </Field>
            <Field id="ovr-from" label={t('sched.from')}>
              <input id="ovr-from" type="datetime-local" required value={start} onInput={(e) => setStart(e.currentTarget.value)} />
            </Field>
            <Field id="ovr-to" label={t('sched.to')}>
              <input id="ovr-to" type="datetime-local" required value={end} onInput={(e) => setEnd(e.currentTarget.value)} />
            </Field>
          </div>
          <ErrorBox error={error} />
          <div class="form-actions">
            <Button kind="primary" type="submit" busy={busy}>
              {t('sched.override.add')}
            </Button>
          </div>
        </form>
      ) : (
        <ErrorBox error={error} />
      )}
    </section>
  );
}

// ---- screens ----

function ScheduleList() {
  const res = useResource<{ data: Schedule[] }>('/api/v1/schedules', ['schedules']);
  const list = res.data?.data ?? [];
  return (
    <div class="schedules">
      <PageTitle title={t('sched.title')}>
        {can('responder') ? (
          <Link href="/schedules/new" class="btn btn-primary">
            {t('sched.new')}
          </Link>
        ) : null}
      </PageTitle>
      <ErrorBox error={res.error} />
      {res.loading && !res.data ? <Loading /> : null}
      {res.data && list.length === 0 ? <Empty text={t('sched.empty')} /> : null}
      {list.length > 0 ? (
        <ul class="list oc-schedules">
          {list.map((s) => (
            <li key={s.id} data-id={s.id}>
              <div class="grow">
                <Link href={`/schedules/${s.id}`} class="oc-schedule-name">
                  {s.name}
                </Link>
                <div class="meta break">
                  {s.time_zone} · {t('sched.layers', { n: s.layers.length })}
                  {s.description ? ` · ${s.description}` : ''}
                </div>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function ScheduleDetail(props: { id: string }) {
  const res = useResource<Schedule>(`/api/v1/schedules/${encodeURIComponent(props.id)}`, ['schedules']);
  const [editing, setEditing] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const [error, setError] = useState<unknown>(undefined);
  const s = res.data;
  const known: { id: string; name: string }[] = [];
  const users = useDirectory(known);
  if (!s) {
    return (
      <div class="schedules">
        <PageTitle title={t('sched.title')} />
        <ErrorBox error={res.error} />
        {res.loading ? <Loading /> : null}
      </div>
    );
  }
  const changed = () => {
    res.reload();
    setReloadKey(reloadKey + 1);
  };
  const remove = async () => {
    if (!window.confirm(t('sched.deleteConfirm', { name: s.name }))) return;
    try {
      await api('DELETE', `/api/v1/schedules/${encodeURIComponent(s.id)}`);
      navigate('/schedules');
    } catch (e) {
      setError(e);
    }
  };
  // Names for people the directory does not list (non-owners): from the timeline's answer.
  return (
    <div class="schedules">
      <PageTitle title={s.name}>
        <Link href="/schedules" class="btn btn-secondary">
          {t('sched.back')}
        </Link>
        {can('responder') && !editing ? <Button onClick={() => setEditing(true)}>{t('sched.edit')}</Button> : null}
        {can('responder') ? (
          <Button kind="danger" onClick={() => void remove()}>
            {t('sched.delete')}
          </Button>
        ) : null}
      </PageTitle>
      <ErrorBox error={error} />
      {s.description ? <p>{s.description}</p> : null}
      {editing ? (
        <section class="oc-section">
          <h2>{t('sched.edit')}</h2>
          <ScheduleEditor
            schedule={s}
            known={s.layers.flatMap((l) => l.user_ids.map((id) => ({ id, name: nameOf(users, id) })))}
            onDone={() => {
              setEditing(false);
              changed();
            }}
          />
        </section>
      ) : null}
      <Timeline schedule={s} reloadKey={reloadKey} />
      <Overrides schedule={s} users={users} onChange={changed} />
      {can('responder') ? <FeedPanel title={t('sched.feed')} rotatePath={`/api/v1/schedules/${encodeURIComponent(s.id)}/ical-token`} id="oc-schedule-feed" /> : null}
    </div>
  );
}

function NewSchedule() {
  return (
    <div class="schedules">
      <PageTitle title={t('sched.new')} />
      <ScheduleEditor known={[]} onDone={(id) => navigate(id ? `/schedules/${id}` : '/schedules')} />
    </div>
  );
}

export default function Schedules(props: { id?: string }) {
  if (props.id === 'new') return <NewSchedule />;
  if (props.id) return <ScheduleDetail id={props.id} />;
  return <ScheduleList />;
}
