/**
 * Cell roles (ARCHITECTURE §4.1) as the panel reads and writes them: one tag per cell,
 * `parameters` (papermill's) or `nb2prod:<role>`, or a first line `%%nb2prod ROLE` or
 * `#| nb2prod: ROLE` in a code cell (as nb2prod/roles.py reads them). Tags and source are
 * read and written through the cell's shared model, so real-time collaboration and undo
 * see the change.
 */
import { ICellModel } from '@jupyterlab/cells';

/** Every role, in the order a notebook usually has them. */
export const ROLES = [
  'parameters',
  'export',
  'load',
  'reference',
  'example',
  'predict',
  'metrics',
  'skip'
] as const;

export type Role = (typeof ROLES)[number];

/** `nb2prod:` tags that are not roles: the linter's suppressions. */
const NOT_A_ROLE = /^nb2prod:noqa(=.*)?$/i;

/** The tag that gives `role`. */
export function roleTag(role: Role): string {
  return role === 'parameters' ? 'parameters' : `nb2prod:${role}`;
}

/** True for a tag that names a role (or tries to: `nb2prod:typo`). */
export function isRoleTag(tag: string): boolean {
  return (
    tag === 'parameters' ||
    (tag.toLowerCase().startsWith('nb2prod:') && !NOT_A_ROLE.test(tag))
  );
}

/** The role the tags give, or null; an unknown `nb2prod:` tag gives its own word. */
export function roleOfTags(tags: readonly string[]): string | null {
  const tag = tags.find(isRoleTag);
  if (tag === undefined) {
    return null;
  }
  return tag === 'parameters' ? 'parameters' : tag.slice('nb2prod:'.length);
}

/** `%%nb2prod ROLE` (a role: other words are subcommands such as `track`). */
const MAGIC = /^%%nb2prod[ \t]+(\S+)$/;
/** `#| nb2prod: ROLE` (any word: an unknown one is the core's error to report). */
const COMMENT = /^#\|[ \t]*nb2prod:[ \t]*(\S+)$/;

/** A role written in a code cell's first non-blank line. */
export interface IRoleMarker {
  role: string;
  /** 0-based line of the marker. */
  line: number;
  style: 'magic' | 'comment';
}

/** The role marker of a code cell's source, or null. */
export function markerOf(source: string): IRoleMarker | null {
  const lines = source.split('\n');
  const line = lines.findIndex(text => text.trim() !== '');
  if (line < 0) {
    return null;
  }
  const first = lines[line].trim();
  const magic = MAGIC.exec(first);
  if (magic && (ROLES as readonly string[]).includes(magic[1])) {
    return { role: magic[1], line, style: 'magic' };
  }
  const comment = COMMENT.exec(first);
  return comment ? { role: comment[1], line, style: 'comment' } : null;
}

/** The source with its marker giving `role` instead (null: the marker line removed). */
export function withMarkerRole(source: string, role: Role | null): string {
  const marker = markerOf(source);
  if (!marker) {
    return source;
  }
  const lines = source.split('\n');
  if (role === null) {
    lines.splice(marker.line, 1);
  } else {
    lines[marker.line] =
      marker.style === 'magic' ? `%%nb2prod ${role}` : `#| nb2prod: ${role}`;
  }
  return lines.join('\n');
}

/** The role of a cell: its tags', else its code's marker. */
export function roleOf(
  tags: readonly string[],
  cellType: string,
  source: string
): string | null {
  return (
    roleOfTags(tags) ??
    (cellType === 'code' ? (markerOf(source)?.role ?? null) : null)
  );
}

/** The tags with `role` as the only role (null: no role); other tags are kept in order. */
export function withRole(tags: readonly string[], role: Role | null): string[] {
  const kept = tags.filter(tag => !isRoleTag(tag));
  return role ? [...kept, roleTag(role)] : kept;
}

function tagsOf(model: ICellModel): string[] {
  const tags = model.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter(t => typeof t === 'string') : [];
}

/** The role of a cell, from its tags or its first line. */
export function cellRole(model: ICellModel): string | null {
  return roleOf(tagsOf(model), model.type, model.sharedModel.getSource());
}

/**
 * Give a cell `role` (null: none), replacing the role it had: where the cell's code
 * spells its role, that line is rewritten (or removed), so the cell keeps one role.
 */
export function setCellRole(model: ICellModel, role: Role | null): void {
  if (model.type === 'code') {
    const source = model.sharedModel.getSource();
    if (markerOf(source)) {
      model.sharedModel.setSource(withMarkerRole(source, role));
      role = null; // the marker gives it: no role tag besides
    }
  }
  const tags = withRole(tagsOf(model), role);
  if (tags.length) {
    model.setMetadata('tags', tags);
  } else {
    model.deleteMetadata('tags');
  }
}
