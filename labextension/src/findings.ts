/** Findings as the Lint section shows them: grouped by cell, counted by severity. */
import { IFinding, Severity } from './api';

export type FindingCounts = Record<Severity, number>;

/** The findings of one cell (cell null: about the whole notebook). */
export interface IFindingGroup {
  cell: number | null;
  cellId: string | null;
  findings: IFinding[];
}

const SEVERITY_ORDER: Record<Severity, number> = {
  error: 0,
  warning: 1,
  info: 2
};

/** Findings grouped by cell, in cell order, notebook-level findings first. */
export function groupFindings(findings: IFinding[]): IFindingGroup[] {
  const groups = new Map<string, IFindingGroup>();
  for (const finding of findings) {
    const key = finding.cell === null ? 'notebook' : String(finding.cell);
    let group = groups.get(key);
    if (!group) {
      group = { cell: finding.cell, cellId: finding.cell_id, findings: [] };
      groups.set(key, group);
    }
    group.findings.push(finding);
  }
  const sorted = [...groups.values()].sort(
    (a, b) => (a.cell ?? 0) - (b.cell ?? 0)
  );
  for (const group of sorted) {
    group.findings.sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        (a.line ?? 0) - (b.line ?? 0) ||
        (a.column ?? 0) - (b.column ?? 0)
    );
  }
  return sorted;
}

/** How many findings of each severity. */
export function countFindings(findings: IFinding[]): FindingCounts {
  const counts: FindingCounts = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) {
    counts[finding.severity] = (counts[finding.severity] ?? 0) + 1;
  }
  return counts;
}
