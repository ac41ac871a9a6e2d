// Ordering of components and groups as the public page shows them: top-level items (groups and
// components without a group) by position, each group's members by position below it. The API
// orders everything by one global `position` (then name, id), so a new order is saved by
// numbering the flattened tree 1, 2, 3, ... and patching the items whose number changed.

export interface Component {
  id: string;
  name: string;
  description: string | null;
  status: string;
  position: number;
  group: boolean;
  group_id: string | null;
  showcase: boolean;
  only_show_if_degraded: boolean;
  components?: string[];
}

export interface Node {
  item: Component;
  children: Component[];
}

/** The tree in display order; `list` must be in the API's order (position, name, id). */
export function buildTree(list: Component[]): Node[] {
  const groups = new Map<string, Node>();
  const roots: Node[] = [];
  for (const c of list) {
    if (c.group) {
      const n = { item: c, children: [] };
      groups.set(c.id, n);
    }
  }
  for (const c of list) {
    if (c.group) {
      roots.push(groups.get(c.id)!);
    } else if (c.group_id && groups.has(c.group_id)) {
      groups.get(c.group_id)!.children.push(c);
    } else {
      roots.push({ item: c, children: [] });
    }
  }
  return roots;
}

export function cloneTree(tree: Node[]): Node[] {
  return tree.map((n) => ({ item: n.item, children: [...n.children] }));
}

/** The sibling list holding `id` (roots or a group's children) and its index there. */
export function locate(tree: Node[], id: string): { groupId: string | null; index: number } | null {
  const i = tree.findIndex((n) => n.item.id === id);
  if (i >= 0) return { groupId: null, index: i };
  for (const n of tree) {
    const j = n.children.findIndex((c) => c.id === id);
    if (j >= 0) return { groupId: n.item.id, index: j };
  }
  return null;
}

/** Moves `id` one place up (-1) or down (+1) among its siblings; null when it cannot move. */
export function moveBy(tree: Node[], id: string, delta: -1 | 1): Node[] | null {
  const at = locate(tree, id);
  if (!at) return null;
  const next = cloneTree(tree);
  if (at.groupId === null) {
    const j = at.index + delta;
    if (j < 0 || j >= next.length) return null;
    [next[at.index], next[j]] = [next[j], next[at.index]];
  } else {
    const g = next.find((n) => n.item.id === at.groupId)!;
    const j = at.index + delta;
    if (j < 0 || j >= g.children.length) return null;
    [g.children[at.index], g.children[j]] = [g.children[j], g.children[at.index]];
  }
  return next;
}

/**
 * Moves `id` next to `targetId` (before it, or after when `after`), or into the group
 * `intoGroupId` at its end. Groups stay at the top level. Null when the move is not allowed.
 */
export function moveTo(
  tree: Node[],
  id: string,
  target: { beforeId?: string; afterId?: string; intoGroupId?: string },
): Node[] | null {
  const from = locate(tree, id);
  if (!from) return null;
  const next = cloneTree(tree);
  let moving: Node | Component;
  if (from.groupId === null) {
    moving = next.splice(from.index, 1)[0];
  } else {
    const g = next.find((n) => n.item.id === from.groupId)!;
    moving = g.children.splice(from.index, 1)[0];
  }
  const isNode = 'item' in moving;
  const comp: Component = isNode ? (moving as Node).item : (moving as Component);
  if (target.intoGroupId) {
    if (comp.group) return null;
    const g = next.find((n) => n.item.id === target.intoGroupId);
    if (!g) return null;
    g.children.push(comp);
    return next;
  }
  const ref = target.beforeId ?? target.afterId;
  if (!ref || ref === id) return null;
  const to = locate(next, ref);
  if (!to) return null;
  const offset = target.afterId ? 1 : 0;
  if (to.groupId === null) {
    const node: Node = isNode ? (moving as Node) : { item: comp, children: [] };
    next.splice(to.index + offset, 0, node);
  } else {
    if (comp.group) return null;
    const g = next.find((n) => n.item.id === to.groupId)!;
    g.children.splice(to.index + offset, 0, comp);
  }
  return next;
}

/** The PATCH bodies that turn the stored components into `tree`'s order and membership. */
export function changes(tree: Node[]): { id: string; body: { position?: number; group_id?: string | null } }[] {
  const out: { id: string; body: { position?: number; group_id?: string | null } }[] = [];
  let pos = 1;
  const visit = (c: Component, groupId: string | null) => {
    const body: { position?: number; group_id?: string | null } = {};
    if (c.position !== pos) body.position = pos;
    if (!c.group && (c.group_id ?? null) !== groupId) body.group_id = groupId;
    if (Object.keys(body).length > 0) out.push({ id: c.id, body });
    pos += 1;
  };
  for (const n of tree) {
    visit(n.item, null);
    for (const c of n.children) visit(c, n.item.id);
  }
  return out;
}
