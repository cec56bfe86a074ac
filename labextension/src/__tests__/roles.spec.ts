/** Role tags: one role per cell, other tags kept. */
import { isRoleTag, roleOfTags, roleTag, ROLES, withRole } from '../roles';

describe('roles', () => {
  it('spells parameters as papermill does and the rest as nb2prod:<role>', () => {
    expect(ROLES.map(roleTag)).toEqual([
      'parameters',
      'nb2prod:export',
      'nb2prod:load',
      'nb2prod:example',
      'nb2prod:predict',
      'nb2prod:metrics',
      'nb2prod:skip'
    ]);
  });

  it('replaces the old role and keeps other tags, suppressions included', () => {
    const tags = ['keep', 'parameters', 'nb2prod:noqa=NB201', 'nb2prod:typo'];
    expect(withRole(tags, 'export')).toEqual([
      'keep',
      'nb2prod:noqa=NB201',
      'nb2prod:export'
    ]);
    expect(withRole(tags, null)).toEqual(['keep', 'nb2prod:noqa=NB201']);
  });

  it('reads the role from the tags', () => {
    expect(roleOfTags(['x', 'nb2prod:predict'])).toBe('predict');
    expect(roleOfTags(['parameters'])).toBe('parameters');
    expect(roleOfTags(['nb2prod:noqa'])).toBeNull();
    expect(isRoleTag('nb2prod:NOQA=NB1')).toBe(false);
  });
});
