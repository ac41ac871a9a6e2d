// Escalation policies (issue 7): the list; create and edit a policy's levels (targets: users,
// whoever is on call on a schedule, teams with all members or round robin; the wait before the
// next level), how often the whole policy repeats; delete. Which service uses which policy, and
// paging again after an acknowledgement, are set on the service's page.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, t } from '../i18n';
import { useResource } from '../resource';
import { can } from '../session';
import { Button, Empty, ErrorBox, Field, Link, Loading, PageTitle, navigate } from '../ui';
import {
  formatMinutes,
  kMaxDelayMinutes,
  kMaxLevels,
  kMaxRepeat,
  kMaxTargets,
  kTargetTypes,
  useDirectory,
  type Directory,
  type Policy,
  type PolicyLevel,
  type TargetType,
} from './alerting';

addMessages('en', {
  'policies.title': 'Escalation policies',
  'policies.intro': 'A policy pages its levels in order until someone acknowledges. Assign a policy to a service on the service\'s page.',
  'policies.new': 'New policy',
  'policies.newTitle': 'New escalation policy',
  'policies.create': 'Create policy',
  'policies.empty': 'No escalation policies yet.',
  'policies.back': 'All escalation policies',
  'policies.summary': '{levels} levels · repeats {repeat} times',
  'policies.summary.one': '1 level · repeats {repeat} times',
  'policies.name': 'Name',
  'policies.description': 'Description',
  'policies.repeat': 'Repeat the whole policy',
  'policies.repeat.hint': 'How many more times to run through all levels when nobody acknowledges (0 to 9).',
  'policies.level': 'Level {n}',
  'policies.level.targets': 'Page',
  'policies.level.type': 'Target type {n}',
  'policies.level.target': 'Target {n}',
  'policies.level.choose': '— choose —',
  'policies.level.addTarget': 'Add target',
  'policies.level.removeTarget': 'Remove target {n}',
  'policies.level.delay': 'Then wait (minutes) before the next level',
  'policies.level.up': 'Move level {n} up',
  'policies.level.down': 'Move level {n} down',
  'policies.level.remove': 'Remove level {n}',
  'policies.level.add': 'Add level',
  'policies.level.wait': 'then wait {time}',
  'policies.delete': 'Delete',
  'policies.deleteConfirm': 'Delete the escalation policy {name}? Running escalations keep their copy.',
  'policies.saved': 'Saved.',
});
addMessages('de', {
  'policies.title': 'Eskalationsrichtlinien',
  'policies.intro': 'Eine Richtlinie alarmiert ihre Stufen der Reihe nach, bis jemand bestätigt. Einem Dienst wird sie auf der Seite des Dienstes zugewiesen.',
  'policies.new': 'Neue Richtlinie',
  'policies.newTitle': 'Neue Eskalationsrichtlinie',
  'policies.create': 'Richtlinie anlegen',
  'policies.empty': 'Noch keine Eskalationsrichtlinien.',
  'policies.back': 'Alle Eskalationsrichtlinien',
  'policies.summary': '{levels} Stufen · {repeat} Wiederholungen',
  'policies.summary.one': '1 Stufe · {repeat} Wiederholungen',
  'policies.name': 'Name',
  'policies.description': 'Beschreibung',
  'policies.repeat': 'Gesamte Richtlinie wiederholen',
  'policies.repeat.hint': 'Wie oft alle Stufen erneut durchlaufen werden, wenn niemand bestätigt (0 bis 9).',
  'policies.level': 'Stufe {n}',
  'policies.level.targets': 'Alarmieren',
  'policies.level.type': 'Art des Ziels {n}',
  'policies.level.target': 'Ziel {n}',
  'policies.level.choose': '— auswählen —',
  'policies.level.addTarget': 'Ziel hinzufügen',
  'policies.level.removeTarget': 'Ziel {n} entfernen',
  'policies.level.delay': 'Dann warten (Minuten) bis zur nächsten Stufe',
  'policies.level.up': 'Stufe {n} nach oben',
  'policies.level.down': 'Stufe {n} nach unten',
  'policies.level.remove': 'Stufe {n} entfernen',
  'policies.level.add': 'Stufe hinzufügen',
  'policies.level.wait': 'dann {time} warten',
  'policies.delete': 'Löschen',
  'policies.deleteConfirm': 'Die Eskalationsrichtlinie {name} löschen? Laufende Eskalationen behalten ihre Kopie.',
  'policies.saved': 'Gespeichert.',
});

/** Text fields of the form: numbers stay strings until sent, so a half-typed value is kept. */
interface LevelDraft {
  targets: { type: TargetType; id: string }[];
  delay: string;
}
interface Draft {
  name: string;
  description: string;
  repeat: string;
  levels: LevelDraft[];
}

function draftOf(p?: Policy): Draft {
  return {
    name: p?.name ?? '',
    description: p?.description ?? '',
    repeat: String(p?.repeat ?? 0),
    levels: (p?.levels ?? [{ targets: [{ type: 'user', id: '' }], delay_minutes: 15 }]).map((l) => ({
      targets: l.targets.map((x) => ({ ...x })),
      delay: String(l.delay_minutes),
    })),
  };
}

/** A number when the text is one; else the text itself, so the server names the field. */
function num(text: string): number | string {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function targetsOf(dir: Directory, type: TargetType) {
  return type === 'user' ? dir.users : type === 'schedule' ? dir.schedules : dir.teams;
}

function LevelEditor(props: {
  index: number;
  count: number;
  level: LevelDraft;
  dir: Directory;
  onChange: (l: LevelDraft) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const { index, level, dir } = props;
  const n = index + 1;
  const setTarget = (j: number, patch: Partial<{ type: TargetType; id: string }>) => {
    const targets = level.targets.map((x, k) => (k === j ? { ...x, ...patch } : x));
    props.onChange({ ...level, targets });
  };
  return (
    <fieldset class="policy-level" data-level={n}>
      <legend>{t('policies.level', { n })}</legend>
      <div class="level-targets" role="group" aria-label={t('policies.level.targets')}>
        {level.targets.map((x, j) => {
          const options = targetsOf(dir, x.type);
          const known = options.some((o) => o.id === x.id);
          const idType = `level-${n}-type-${j + 1}`;
          const idTarget = `level-${n}-target-${j + 1}`;
          return (
            <div class="target-row" key={j} data-target={j + 1}>
              <label class="sr-only" for={idType}>
                {t('policies.level.type', { n: j + 1 })}
              </label>
              <select id={idType} value={x.type} onChange={(e) => setTarget(j, { type: e.currentTarget.value as TargetType, id: '' })}>
                {kTargetTypes.map((k) => (
                  <option key={k} value={k}>
                    {t(`alerting.target.${k}`)}
                  </option>
                ))}
              </select>
              <label class="sr-only" for={idTarget}>
                {t('policies.level.target', { n: j + 1 })}
              </label>
              <select id={idTarget} value={x.id} onChange={(e) => setTarget(j, { id: e.currentTarget.value })}>
                <option value="">{t('policies.level.choose')}</option>
                {options.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
                {x.id && !known ? <option value={x.id}>{dir.name(x.type, x.id)}</option> : null}
              </select>
              <Button
                class="btn-small"
                kind="link"
                aria-label={t('policies.level.removeTarget', { n: j + 1 })}
                disabled={level.targets.length <= 1}
                onClick={() => props.onChange({ ...level, targets: level.targets.filter((_, k) => k !== j) })}
              >
                ×
              </Button>
            </div>
          );
        })}
        {level.targets.length < kMaxTargets ? (
          <Button class="btn-small" onClick={() => props.onChange({ ...level, targets: [...level.targets, { type: 'user', id: '' }] })}>
            {t('policies.level.addTarget')}
          </Button>
        ) : null}
      </div>
      <Field id={`level-${n}-delay`} label={t('policies.level.delay')}>
        <input
          id={`level-${n}-delay`}
          class="delay-input"
          type="number"
          min={1}
          max={kMaxDelayMinutes}
          value={level.delay}
          onInput={(e) => props.onChange({ ...level, delay: e.currentTarget.value })}
        />
      </Field>
      <div class="row level-actions">
        <Button class="btn-small" disabled={index === 0} onClick={() => props.onMove(-1)} aria-label={t('policies.level.up', { n })}>
          ↑
        </Button>
        <Button class="btn-small" disabled={index === props.count - 1} onClick={() => props.onMove(1)} aria-label={t('policies.level.down', { n })}>
          ↓
        </Button>
        <Button class="btn-small" kind="danger" disabled={props.count <= 1} onClick={props.onRemove}>
          {t('policies.level.remove', { n })}
        </Button>
      </div>
    </fieldset>
  );
}

function PolicyForm(props: { policy?: Policy; onDone: (p: Policy) => void; onDirty?: () => void }) {
  const dir = useDirectory();
  const [d, setD] = useState<Draft>(draftOf(props.policy));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const editing = props.policy !== undefined;
  const set = (patch: Partial<Draft>) => {
    setD({ ...d, ...patch });
    props.onDirty?.();
  };
  const setLevel = (i: number, l: LevelDraft) => set({ levels: d.levels.map((x, k) => (k === i ? l : x)) });
  const move = (i: number, by: number) => {
    const levels = [...d.levels];
    const [l] = levels.splice(i, 1);
    levels.splice(i + by, 0, l);
    set({ levels });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = {
      name: d.name,
      description: d.description,
      repeat: num(d.repeat),
      levels: d.levels.map((l) => ({ targets: l.targets, delay_minutes: num(l.delay) })),
    };
    try {
      const p = editing
        ? await api<Policy>('PUT', `/api/v1/escalation-policies/${encodeURIComponent(props.policy!.id)}`, body)
        : await api<Policy>('POST', '/api/v1/escalation-policies', body);
      props.onDone(p);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="policy-form" onSubmit={submit} noValidate>
      <div class="form-grid">
        <Field id="policy-name" label={t('policies.name')}>
          <input id="policy-name" type="text" required maxLength={200} value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </Field>
        <Field id="policy-repeat" label={t('policies.repeat')} hint={t('policies.repeat.hint')}>
          <input id="policy-repeat" type="number" min={0} max={kMaxRepeat} value={d.repeat} onInput={(e) => set({ repeat: e.currentTarget.value })} />
        </Field>
      </div>
      <Field id="policy-description" label={t('policies.description')}>
        <textarea id="policy-description" class="short" maxLength={2000} value={d.description} onInput={(e) => set({ description: e.currentTarget.value })} />
      </Field>
      {d.levels.map((l, i) => (
        <LevelEditor
          key={i}
          index={i}
          count={d.levels.length}
          level={l}
          dir={dir}
          onChange={(x) => setLevel(i, x)}
          onMove={(by) => move(i, by)}
          onRemove={() => set({ levels: d.levels.filter((_, k) => k !== i) })}
        />
      ))}
      {d.levels.length < kMaxLevels ? (
        <p>
          <Button onClick={() => set({ levels: [...d.levels, { targets: [{ type: 'user', id: '' }], delay: '15' }] })}>{t('policies.level.add')}</Button>
        </p>
      ) : null}
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {editing ? t('ui.save') : t('policies.create')}
        </Button>
      </div>
    </form>
  );
}

function LevelsView(props: { levels: PolicyLevel[] }) {
  const dir = useDirectory();
  return (
    <ol class="levels-view">
      {props.levels.map((l, i) => (
        <li key={i} data-level={i + 1}>
          {l.targets.map((x) => `${t(`alerting.target.${x.type}`)}: ${dir.name(x.type, x.id)}`).join(' · ')}
          <div class="meta">{t('policies.level.wait', { time: formatMinutes(l.delay_minutes) })}</div>
        </li>
      ))}
    </ol>
  );
}

function summary(p: Policy): string {
  return p.levels.length === 1 ? t('policies.summary.one', { repeat: p.repeat }) : t('policies.summary', { levels: p.levels.length, repeat: p.repeat });
}

function PolicyList() {
  const res = useResource<{ escalation_policies: Policy[] }>('/api/v1/escalation-policies', ['alerts']);
  const list = res.data?.escalation_policies ?? [];
  return (
    <div class="screen-policies">
      <PageTitle title={t('policies.title')}>
        {can('responder') ? (
          <Link href="/escalation-policies/new" class="btn btn-primary">
            {t('policies.new')}
          </Link>
        ) : null}
      </PageTitle>
      <p class="hint">{t('policies.intro')}</p>
      <ErrorBox error={res.error} />
      {res.data === undefined && !res.error ? <Loading /> : null}
      {res.data && list.length === 0 ? <Empty text={t('policies.empty')} /> : null}
      {list.length > 0 ? (
        <ul class="list policy-list">
          {list.map((p) => (
            <li key={p.id} data-id={p.id}>
              <span class="grow">
                <Link href={`/escalation-policies/${p.id}`}>{p.name}</Link>
                <div class="meta break">{[summary(p), p.description].filter(Boolean).join(' · ')}</div>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function PolicyDetail(props: { id: string }) {
  const res = useResource<Policy>(`/api/v1/escalation-policies/${encodeURIComponent(props.id)}`, ['alerts']);
  const [error, setError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState(false);
  const p = res.data;
  if (res.error && !p) {
    return (
      <div class="screen-policies">
        <PageTitle title={t('policies.title')} />
        <ErrorBox error={res.error} />
        <Link href="/escalation-policies">{t('policies.back')}</Link>
      </div>
    );
  }
  if (!p) return <Loading />;
  const remove = async () => {
    if (!window.confirm(t('policies.deleteConfirm', { name: p.name }))) return;
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/escalation-policies/${encodeURIComponent(p.id)}`);
      navigate('/escalation-policies');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="screen-policies policy-detail" data-id={p.id}>
      <PageTitle title={p.name}>
        {can('responder') ? (
          <Button kind="danger" onClick={() => void remove()}>
            {t('policies.delete')}
          </Button>
        ) : null}
      </PageTitle>
      <ErrorBox error={error} />
      {saved ? (
        <p class="notice" role="status">
          {t('policies.saved')}
        </p>
      ) : null}
      {can('responder') ? (
        // Keyed by the update time: a save (or another writer) reloads the form with what the server kept.
        <PolicyForm
          key={p.updated_at}
          policy={p}
          onDirty={() => setSaved(false)}
          onDone={() => {
            setSaved(true);
            res.reload();
          }}
        />
      ) : (
        <div class="panel">
          {p.description ? <p class="update-body">{p.description}</p> : null}
          <p class="meta">{summary(p)}</p>
          <LevelsView levels={p.levels} />
        </div>
      )}
      <p>
        <Link href="/escalation-policies">{t('policies.back')}</Link>
      </p>
    </div>
  );
}

function NewPolicy() {
  return (
    <div class="screen-policies">
      <PageTitle title={t('policies.newTitle')} />
      {can('responder') ? <PolicyForm onDone={() => navigate('/escalation-policies')} /> : <p class="error-box">{t('ui.error.forbidden')}</p>}
      <p>
        <Link href="/escalation-policies">{t('policies.back')}</Link>
      </p>
    </div>
  );
}

export default function Policies(props: { id?: string }) {
  if (props.id === 'new') return <NewPolicy />;
  return props.id ? <PolicyDetail key={props.id} id={props.id} /> : <PolicyList />;
}
