/** The contract's wording in the panel. */
import { columnRule, inputSummary } from '../contract';

describe('columnRule', () => {
  it('gives the range and nulls of a numeric column', () => {
    expect(
      columnRule({
        name: 'age',
        dtype: 'int64',
        type: 'int',
        nullable: false,
        source: 'reference',
        min: 18,
        max: 90.5
      })
    ).toBe('18 … 90.50 · no nulls');
  });

  it('lists a few categories and counts the rest', () => {
    expect(
      columnRule({
        name: 'city',
        dtype: 'object',
        type: 'str',
        nullable: true,
        source: 'example',
        categories: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
      })
    ).toBe('{"a", "b", "c", "d", "e", "f", +2} · nulls allowed');
  });
});

describe('inputSummary', () => {
  it('words each kind of input', () => {
    expect(inputSummary({ kind: 'dataframe', columns: [] })).toBe(
      'DataFrame, 0 columns'
    );
    expect(
      inputSummary({ kind: 'ndarray', dtype: 'float64', shape: [null, 4] })
    ).toBe('ndarray float64 (*, 4)');
    expect(
      inputSummary({
        kind: 'list',
        items: { kind: 'scalar', type: 'float' }
      })
    ).toBe('list of float');
    expect(inputSummary({ kind: 'scalar', type: 'str' })).toBe('str');
  });
});
