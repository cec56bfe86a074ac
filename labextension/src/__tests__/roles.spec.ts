/** Role tags: one role per cell, other tags kept. */
import {
  isRoleTag,
  markerOf,
  roleOf,
  roleOfTags,
  roleTag,
  ROLES,
  withMarkerRole,
  withRole
} from '../roles';

describe('roles', () => {
  it('spells parameters as papermill does and the rest as nb2prod:<role>', () => {
    expect(ROLES.map(roleTag)).toEqual([
      'parameters',
      'nb2prod:export',
      'nb2prod:load',
      'nb2prod:reference',
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

  it('reads a role written in the first line of a code cell, as the core does', () => {
    expect(roleOf([], 'code', '#| nb2prod: load\nmodel = 1')).toBe('load');
    expect(roleOf([], 'code', '\n  %%nb2prod predict\nx')).toBe('predict');
    expect(roleOf([], 'code', '%%nb2prod track --log a\nx')).toBeNull();
    expect(roleOf([], 'code', 'x = 1\n#| nb2prod: load')).toBeNull();
    expect(roleOf([], 'markdown', '#| nb2prod: load')).toBeNull();
    expect(roleOf(['nb2prod:skip'], 'code', 'x')).toBe('skip');
    expect(markerOf('#|nb2prod:export')).toEqual({
      role: 'export',
      line: 0,
      style: 'comment'
    });
  });

  it('rewrites or removes the marker, keeping the rest of the cell', () => {
    expect(withMarkerRole('#| nb2prod: skip\ny = 2', 'example')).toBe(
      '#| nb2prod: example\ny = 2'
    );
    expect(withMarkerRole('%%nb2prod load\nm = 1', 'predict')).toBe(
      '%%nb2prod predict\nm = 1'
    );
    expect(withMarkerRole('%%nb2prod load\nm = 1', null)).toBe('m = 1');
    expect(withMarkerRole('x = 1', 'skip')).toBe('x = 1');
  });
});
