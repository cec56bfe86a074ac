/**
 * Cell roles (ARCHITECTURE §4.1) as the panel reads and writes them: one tag per cell,
 * `parameters` (papermill's) or `nb2prod:<role>`. The tags are read and written through
 * the cell's shared model, so real-time collaboration and undo see the change.
 */
import { ICellModel } from '@jupyterlab/cells';

/** Every role, in the order a notebook usually has them. */
export const ROLES = [
  'parameters',
  'export',
  'load',
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

/** The tags with `role` as the only role (null: no role); other tags are kept in order. */
export function withRole(tags: readonly string[], role: Role | null): string[] {
  const kept = tags.filter(tag => !isRoleTag(tag));
  return role ? [...kept, roleTag(role)] : kept;
}

function tagsOf(model: ICellModel): string[] {
  const tags = model.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter(t => typeof t === 'string') : [];
}

/** The role of a cell, from its tags. */
export function cellRole(model: ICellModel): string | null {
  return roleOfTags(tagsOf(model));
}

/** Give a cell `role` (null: none), replacing the role it had. */
export function setCellRole(model: ICellModel, role: Role | null): void {
  const tags = withRole(tagsOf(model), role);
  if (tags.length) {
    model.setMetadata('tags', tags);
  } else {
    model.deleteMetadata('tags');
  }
}
