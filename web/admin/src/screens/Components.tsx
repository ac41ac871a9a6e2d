// Components and groups as the public page lists them: create, edit, delete, change status,
// move between groups, reorder by drag and drop or by the up/down buttons (keyboard, phones).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { addMessages, t } from '../i18n';
import { useResource } from '../resource';
import { can } from '../session';
import { Button, Dialog, Empty, ErrorBox, Field, Loading, PageTitle, StatusBadge } from '../ui';
import { buildTree, changes, moveBy, moveTo, type Component, type Node } from './Components/order';
import './components.css';

addMessages('en', {
  'components.title': 'Components',
  'components.new': 'New component',
  'components.newGroup': 'New group',
  'components.edit': 'Edit {name}',
  'components.name': 'Name',
  'components.description': 'Description',
  'components.status': 'Status',
  'components.statusOf': 'Status of {name}',
  'components.isGroup': 'This is a group (its status follows its components)',
  'components.group': 'Group',
  'components.noGroup': '(no group)',
  'components.showcase': 'Show uptime bars on the public page',
  'components.onlyDegraded': 'Show only when not operational',
  'components.create': 'Create',
  'components.delete': 'Delete',
  'components.deleteConfirm': 'Delete {name}? Incidents keep their history.',
  'components.up': 'Up',
  'components.down': 'Down',
  'components.moveUp': 'Move {name} up',
  'components.moveDown': 'Move {name} down',
  'components.drag': 'Drag to reorder',
  'components.saving': 'Saving order…',
  'components.groupTag': 'group',
  'components.members': '{n} components',
  'components.empty': 'No components yet. Add the services your users care about.',
  'components.hint': 'Order and groups are those of the public page. Drag a row, or use Up and Down; drop a component on a group to move it into the group.',
});
addMessages('de', {
  'components.title': 'Komponenten',
  'components.new': 'Neue Komponente',
  'components.newGroup': 'Neue Gruppe',
  'components.edit': '{name} bearbeiten',
  'components.name': 'Name',
  'components.description': 'Beschreibung',
  'components.status': 'Status',
  'components.statusOf': 'Status von {name}',
  'components.isGroup': 'Dies ist eine Gruppe (ihr Status folgt ihren Komponenten)',
  'components.group': 'Gruppe',
  'components.noGroup': '(keine Gruppe)',
  'components.showcase': 'Verfügbarkeitsbalken auf der öffentlichen Seite zeigen',
  'components.onlyDegraded': 'Nur zeigen, wenn nicht in Betrieb',
  'components.create': 'Anlegen',
  'components.delete': 'Löschen',
  'components.deleteConfirm': '{name} löschen? Störungen behalten ihren Verlauf.',
  'components.up': 'Hoch',
  'components.down': 'Runter',
  'components.moveUp': '{name} nach oben',
  'components.moveDown': '{name} nach unten',
  'components.drag': 'Zum Umsortieren ziehen',
  'components.saving': 'Reihenfolge wird gespeichert…',
  'components.groupTag': 'Gruppe',
  'components.members': '{n} Komponenten',
  'components.empty': 'Noch keine Komponenten. Legen Sie die Dienste an, die Ihren Nutzern wichtig sind.',
  'components.hint': 'Reihenfolge und Gruppen entsprechen der öffentlichen Seite. Zeile ziehen oder Hoch/Runter benutzen; eine Komponente auf eine Gruppe ziehen, um sie in die Gruppe zu verschieben.',
});

export const kComponentStatuses = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;

interface Draft {
  id?: string;
  name: string;
  description: string;
  status: string;
  group: boolean;
  group_id: string;
  showcase: boolean;
  only_show_if_degraded: boolean;
}

const kEmptyDraft: Draft = {
  name: '',
  description: '',
  status: 'operational',
  group: false,
  group_id: '',
  showcase: true,
  only_show_if_degraded: false,
};

function ComponentForm(props: { draft: Draft; groups: Component[]; onDone: () => void }) {
  const [d, setD] = useState<Draft>(props.draft);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const editing = d.id !== undefined;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body: Record<string, unknown> = {
      name: d.name,
      description: d.description,
      showcase: d.showcase,
      only_show_if_degraded: d.only_show_if_degraded,
    };
    if (!editing) body.group = d.group;
    if (!d.group) {
      body.status = d.status;
      body.group_id = d.group_id === '' ? null : d.group_id;
    }
    try {
      if (editing) await api('PATCH', `/api/v1/components/${encodeURIComponent(d.id!)}`, body);
      else await api('POST', '/api/v1/components', body);
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} class="components-form">
      <Field id="component-name" label={t('components.name')}>
        <input id="component-name" type="text" required maxLength={200} value={d.name} onInput={(e) => set({ name: e.currentTarget.value })} />
      </Field>
      <Field id="component-description" label={t('components.description')}>
        <input id="component-description" type="text" maxLength={1000} value={d.description} onInput={(e) => set({ description: e.currentTarget.value })} />
      </Field>
      {!editing ? (
        <Field id="component-is-group" label={t('components.isGroup')} inline>
          <input id="component-is-group" type="checkbox" checked={d.group} onChange={(e) => set({ group: e.currentTarget.checked })} />
        </Field>
      ) : null}
      {!d.group ? (
        <div class="form-grid">
          <Field id="component-status" label={t('components.status')}>
            <select id="component-status" value={d.status} onChange={(e) => set({ status: e.currentTarget.value })}>
              {kComponentStatuses.map((s) => (
                <option value={s}>{t(`status.${s}`)}</option>
              ))}
            </select>
          </Field>
          <Field id="component-group" label={t('components.group')}>
            <select id="component-group" value={d.group_id} onChange={(e) => set({ group_id: e.currentTarget.value })}>
              <option value="">{t('components.noGroup')}</option>
              {props.groups.map((g) => (
                <option value={g.id}>{g.name}</option>
              ))}
            </select>
          </Field>
        </div>
      ) : null}
      <Field id="component-showcase" label={t('components.showcase')} inline>
        <input id="component-showcase" type="checkbox" checked={d.showcase} onChange={(e) => set({ showcase: e.currentTarget.checked })} />
      </Field>
      <Field id="component-only-degraded" label={t('components.onlyDegraded')} inline>
        <input
          id="component-only-degraded"
          type="checkbox"
          checked={d.only_show_if_degraded}
          onChange={(e) => set({ only_show_if_degraded: e.currentTarget.checked })}
        />
      </Field>
      <ErrorBox error={error} />
      <div class="form-actions">
        <Button kind="primary" type="submit" busy={busy}>
          {editing ? t('ui.save') : t('components.create')}
        </Button>
        <Button onClick={props.onDone}>{t('ui.cancel')}</Button>
      </div>
    </form>
  );
}

type DropHint = { id: string; where: 'before' | 'after' | 'into' } | null;

export default function Components(_props: Record<string, string>) {
  const res = useResource<Component[]>('/api/v1/components', ['page']);
  const [editing, setEditing] = useState<Draft | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [pending, setPending] = useState<Node[] | null>(null);
  const [dragId, setDragId] = useState<string | null>(null);
  const [hint, setHint] = useState<DropHint>(null);
  const mayEdit = can('responder');

  const list = res.data ?? [];
  const tree = pending ?? buildTree(list);
  const groups = list.filter((c) => c.group);

  const saveOrder = async (next: Node[]) => {
    setPending(next);
    setError(undefined);
    try {
      for (const ch of changes(next)) {
        await api('PATCH', `/api/v1/components/${encodeURIComponent(ch.id)}`, ch.body);
      }
    } catch (e) {
      setError(e);
    } finally {
      setPending(null);
      res.reload();
    }
  };

  // Keyboard users keep their place: after a move the same button of the moved row gets the
  // focus back (re-ordering the DOM moves the row, which drops the focus).
  const refocus = useRef<{ id: string; dir: string } | null>(null);
  useEffect(() => {
    const want = refocus.current;
    if (!want) return;
    const el = document.querySelector<HTMLButtonElement>(`li[data-id="${CSS.escape(want.id)}"] > .comp-row button[data-move="${want.dir}"]`);
    if (el && !el.disabled) {
      el.focus();
      if (pending === null) refocus.current = null;
    } else if (el && el.disabled) {
      // At the top or bottom now: the other direction is the useful next key.
      const other = document.querySelector<HTMLButtonElement>(
        `li[data-id="${CSS.escape(want.id)}"] > .comp-row button[data-move="${want.dir === 'up' ? 'down' : 'up'}"]`,
      );
      other?.focus();
      if (pending === null) refocus.current = null;
    }
  });

  const move = (id: string, delta: -1 | 1) => {
    if (pending !== null) return;
    const next = moveBy(tree, id, delta);
    if (!next) return;
    refocus.current = { id, dir: delta < 0 ? 'up' : 'down' };
    void saveOrder(next);
  };

  const setStatus = async (c: Component, status: string) => {
    setError(undefined);
    try {
      await api('PATCH', `/api/v1/components/${encodeURIComponent(c.id)}`, { status });
    } catch (e) {
      setError(e);
    }
    res.reload();
  };

  const remove = async (c: Component) => {
    if (!window.confirm(t('components.deleteConfirm', { name: c.name }))) return;
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/components/${encodeURIComponent(c.id)}`);
    } catch (e) {
      setError(e);
    }
    res.reload();
  };

  const edit = (c: Component) =>
    setEditing({
      id: c.id,
      name: c.name,
      description: c.description ?? '',
      status: c.status,
      group: c.group,
      group_id: c.group_id ?? '',
      showcase: c.showcase,
      only_show_if_degraded: c.only_show_if_degraded,
    });

  // Drag and drop: a row is a drop target; the upper half drops before it, the lower half after
  // it, and a group's row takes a component into the group.
  const dragOver = (e: DragEvent, target: Component) => {
    if (!dragId || dragId === target.id) return;
    const dragged = list.find((c) => c.id === dragId);
    if (!dragged) return;
    const el = e.currentTarget as HTMLElement;
    const rect = el.getBoundingClientRect();
    const lower = e.clientY > rect.top + Math.min(rect.height, 48) / 2;
    let where: 'before' | 'after' | 'into' = lower ? 'after' : 'before';
    if (target.group && !dragged.group && lower) where = 'into';
    if (dragged.group && target.group_id) return;  // groups stay at the top level
    e.preventDefault();
    e.stopPropagation();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
    if (!hint || hint.id !== target.id || hint.where !== where) setHint({ id: target.id, where });
  };

  const drop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    const h = hint;
    const id = dragId;
    setHint(null);
    setDragId(null);
    if (!h || !id) return;
    const next =
      h.where === 'into'
        ? moveTo(tree, id, { intoGroupId: h.id })
        : moveTo(tree, id, h.where === 'before' ? { beforeId: h.id } : { afterId: h.id });
    if (next) void saveOrder(next);
  };

  const row = (c: Component, siblings: number, index: number, nested: boolean) => {
    const dragProps = mayEdit
      ? {
          draggable: true,
          onDragStart: (e: DragEvent) => {
            e.stopPropagation();
            setDragId(c.id);
            e.dataTransfer?.setData('text/plain', c.id);
            if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
          },
          onDragEnd: () => {
            setDragId(null);
            setHint(null);
          },
          onDragOver: (e: DragEvent) => dragOver(e, c),
          onDrop: drop,
        }
      : {};
    const cls = [
      'comp-row',
      c.group ? 'comp-group' : '',
      nested ? 'comp-child' : '',
      dragId === c.id ? 'dragging' : '',
      hint && hint.id === c.id ? `drop-${hint.where}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    return (
      <div class={cls} {...dragProps}>
        <span class="drag-handle" title={mayEdit ? t('components.drag') : undefined} aria-hidden="true">
          {mayEdit ? '⋮⋮' : ''}
        </span>
        <div class="grow">
          <span class="comp-name">{c.name}</span>
          {c.group ? <span class="muted"> · {t('components.groupTag')}</span> : null}
          {c.description ? <div class="meta">{c.description}</div> : null}
        </div>
        {mayEdit && !c.group ? (
          <select
            class="comp-status"
            aria-label={t('components.statusOf', { name: c.name })}
            value={c.status}
            onChange={(e) => void setStatus(c, e.currentTarget.value)}
          >
            {kComponentStatuses.map((s) => (
              <option value={s}>{t(`status.${s}`)}</option>
            ))}
          </select>
        ) : (
          <StatusBadge status={c.status} />
        )}
        {mayEdit ? (
          <div class="comp-actions">
            <Button
              class="btn-small"
              data-move="up"
              disabled={index === 0}
              aria-label={t('components.moveUp', { name: c.name })}
              onClick={() => move(c.id, -1)}
            >
              ↑ {t('components.up')}
            </Button>
            <Button
              class="btn-small"
              data-move="down"
              disabled={index === siblings - 1}
              aria-label={t('components.moveDown', { name: c.name })}
              onClick={() => move(c.id, 1)}
            >
              ↓ {t('components.down')}
            </Button>
            <Button class="btn-small" onClick={() => edit(c)}>
              {t('ui.edit')}
            </Button>
            <Button class="btn-small" kind="danger" onClick={() => void remove(c)}>
              {t('components.delete')}
            </Button>
          </div>
        ) : null}
      </div>
    );
  };

  return (
    <div class="screen-components">
      <PageTitle title={t('components.title')}>
        {mayEdit ? (
          <>
            <Button kind="primary" onClick={() => setEditing({ ...kEmptyDraft })}>
              {t('components.new')}
            </Button>
            <Button onClick={() => setEditing({ ...kEmptyDraft, group: true })}>{t('components.newGroup')}</Button>
          </>
        ) : null}
      </PageTitle>
      {mayEdit ? <p class="hint">{t('components.hint')}</p> : null}
      <ErrorBox error={error ?? res.error} />
      {pending ? <p class="muted" role="status">{t('components.saving')}</p> : null}
      {res.loading && !res.data ? <Loading /> : null}
      {res.data && tree.length === 0 ? <Empty text={t('components.empty')} /> : null}
      {tree.length > 0 ? (
        <ul class="list comp-list" aria-label={t('components.title')}>
          {tree.map((n, i) => (
            <li data-id={n.item.id} key={n.item.id}>
              {row(n.item, tree.length, i, false)}
              {n.item.group ? (
                n.children.length > 0 ? (
                  <ul class="comp-children">
                    {n.children.map((c, j) => (
                      <li data-id={c.id} key={c.id}>
                        {row(c, n.children.length, j, true)}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p class="meta comp-empty-group">{t('components.members', { n: 0 })}</p>
                )
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <Dialog
        open={editing !== null}
        title={
          editing?.id
            ? t('components.edit', { name: editing.name })
            : editing?.group
              ? t('components.newGroup')
              : t('components.new')
        }
        onClose={() => setEditing(null)}
      >
        {editing ? (
          <ComponentForm
            key={editing.id ?? (editing.group ? 'new-group' : 'new')}
            draft={editing}
            groups={groups.filter((g) => g.id !== editing.id)}
            onDone={() => {
              setEditing(null);
              res.reload();
            }}
          />
        ) : null}
      </Dialog>
    </div>
  );
}
