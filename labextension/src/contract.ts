/**
 * The input contract as the panel words it: one line per input, one per column. Kept
 * apart from the views so Jest can check the wording (`PKG schema` words it the same way).
 */
import { IColumnContract, IInputContract } from './api';

function numberText(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

/** What a column accepts besides its type: its range or categories, and nulls. */
export function columnRule(column: IColumnContract): string {
  const parts: string[] = [];
  if (column.min !== undefined && column.max !== undefined) {
    parts.push(`${numberText(column.min)} … ${numberText(column.max)}`);
  }
  if (column.categories) {
    const shown = column.categories.slice(0, 6).map(v => JSON.stringify(v));
    const more = column.categories.length - shown.length;
    parts.push(`{${shown.join(', ')}${more > 0 ? `, +${more}` : ''}}`);
  }
  parts.push(column.nullable ? 'nulls allowed' : 'no nulls');
  return parts.join(' · ');
}

/** One input in a line: `DataFrame, 30 columns`, `ndarray float64 (*, 4)`, `list of float`. */
export function inputSummary(input: IInputContract): string {
  switch (input.kind) {
    case 'dataframe':
      return `DataFrame, ${input.columns?.length ?? 0} columns`;
    case 'series':
      return `Series ${input.column?.dtype ?? ''}`.trim();
    case 'ndarray': {
      const shape = (input.shape ?? []).map(n => (n === null ? '*' : n));
      return `ndarray ${input.dtype ?? ''} (${shape.join(', ')})`;
    }
    case 'list':
      return input.items ? `list of ${inputSummary(input.items)}` : 'list';
    case 'dict':
      return `dict with keys ${Object.keys(input.keys ?? {}).join(', ')}`;
    default:
      return input.type ?? 'value';
  }
}
