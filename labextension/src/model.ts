/**
 * The panel's state for the current notebook: lint findings, runs and the export plan.
 *
 * The model knows nothing of widgets: it talks to the server through `INb2ProdAPI` and to
 * the notebook through `INotebookHandle`, and says `changed` when the views should
 * render again. That keeps it testable with Jest and the views free of logic.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IExportAnswer,
  IExportPlan,
  IFinding,
  ILintRequest,
  INb2ProdAPI,
  IRun,
  Nb2ProdRequestError,
  Severity
} from './api';

/** What the model needs of the notebook it watches (adapted from a NotebookPanel). */
export interface INotebookHandle {
  /** The notebook's path relative to the server root (the contents API path). */
  readonly path: string;
  /** True when the notebook has unsaved changes. */
  readonly dirty: boolean;
  /** The notebook as nbformat JSON, unsaved edits included. */
  toJSON(): unknown;
  save(): Promise<void>;
  /** Reload the notebook from disk (after the server changed the file). */
  revert(): Promise<void>;
  /** Select the cell and scroll it into view; `index` is 0-based. */
  selectCell(index: number): void;
  /** The 0-based index of the cell with this id, or -1. */
  cellIndex(cellId: string): number;
}

/** The user's settings (schema/plugin.json). */
export interface IPanelSettings {
  autoLint: boolean;
  /** Lint profile (`explore` or `prod`); empty for the project's own setting. */
  profile: string;
  /** Folder (in the server root) under which packages are exported; empty for build/ next to the notebook. */
  outputFolder: string;
  /** Milliseconds of quiet typing before the notebook is linted again. */
  lintDelay: number;
}

export const DEFAULT_SETTINGS: IPanelSettings = {
  autoLint: true,
  profile: '',
  outputFolder: '',
  lintDelay: 800
};

export type FindingCounts = Record<Severity, number>;

/** The findings of one cell (cell null: about the whole notebook). */
export interface IFindingGroup {
  cell: number | null;
  cellId: string | null;
  findings: IFinding[];
}

/** A refusal or failure as the server worded it. */
export interface IProblem {
  message: string;
  hint: string | null;
  status: number;
}

export type ExportState = 'idle' | 'running' | 'done' | 'failed' | 'conflict';

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

function problemOf(error: unknown): IProblem {
  if (error instanceof Nb2ProdRequestError) {
    return { message: error.message, hint: error.hint, status: error.status };
  }
  return { message: String(error), hint: null, status: 0 };
}

export class PanelModel {
  constructor(
    readonly api: INb2ProdAPI,
    settings: Partial<IPanelSettings> = {}
  ) {
    this._settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  /** Emitted whenever anything the views show changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get settings(): IPanelSettings {
    return this._settings;
  }

  set settings(value: IPanelSettings) {
    this._settings = { ...DEFAULT_SETTINGS, ...value };
    this._emit();
  }

  get notebook(): INotebookHandle | null {
    return this._notebook;
  }

  /** Watch another notebook (or none): forget what was shown and look at the new one. */
  setNotebook(notebook: INotebookHandle | null): void {
    if (notebook === this._notebook) {
      return;
    }
    this._cancelScheduledLint();
    this._notebook = notebook;
    this._lintSeq++;
    this._runsSeq++;
    this._planSeq++;
    this.findings = [];
    this.lintProblem = null;
    this.runs = [];
    this.runsProblem = null;
    this.plan = null;
    this.planProblem = null;
    this.exportName = '';
    this.exportTarget = '';
    this.exportState = 'idle';
    this.exportResult = null;
    this.exportProblem = null;
    this._emit();
    if (notebook) {
      void this.lint();
      void this.refreshRuns();
      void this.planExport();
    }
  }

  // ---- lint ------------------------------------------------------------------------

  findings: IFinding[] = [];
  lintProblem: IProblem | null = null;
  linting = false;

  get groups(): IFindingGroup[] {
    return groupFindings(this.findings);
  }

  get counts(): FindingCounts {
    return countFindings(this.findings);
  }

  /**
   * Lint the notebook now: the unsaved JSON when it has unsaved edits (or `unsaved` is
   * true), else the saved file. A slower answer to an older request is dropped.
   */
  async lint(unsaved?: boolean): Promise<void> {
    const notebook = this._notebook;
    if (!notebook) {
      return;
    }
    this._cancelScheduledLint();
    const seq = ++this._lintSeq;
    const request: ILintRequest = { path: notebook.path };
    if (unsaved ?? notebook.dirty) {
      request.notebook = notebook.toJSON();
    }
    if (this._settings.profile) {
      request.profile = this._settings.profile;
    }
    this.linting = true;
    this._emit();
    try {
      const answer = await this.api.lint(request);
      if (seq !== this._lintSeq) {
        return;
      }
      this.findings = answer.findings;
      this.lintProblem = null;
    } catch (error) {
      if (seq !== this._lintSeq) {
        return;
      }
      this.lintProblem = problemOf(error);
    }
    this.linting = false;
    this._emit();
  }

  /** The notebook's content changed: lint it once typing pauses (when auto-lint is on). */
  contentChanged(): void {
    if (!this._settings.autoLint || !this._notebook) {
      return;
    }
    this._cancelScheduledLint();
    this._lintTimer = setTimeout(() => {
      this._lintTimer = null;
      void this.lint(true);
    }, this._settings.lintDelay);
  }

  /** The notebook was saved: lint the file, and plan the export of what is now on disk. */
  saved(): void {
    if (!this._notebook) {
      return;
    }
    if (this._settings.autoLint) {
      void this.lint(false);
    }
    void this.planExport();
  }

  /** Apply every safe fix to the saved file (saving first), then reload the notebook. */
  async fix(): Promise<number> {
    const notebook = this._notebook;
    if (!notebook) {
      return 0;
    }
    if (notebook.dirty) {
      await notebook.save();
    }
    const request: ILintRequest = {
      path: notebook.path,
      fix: true
    };
    if (this._settings.profile) {
      request.profile = this._settings.profile;
    }
    try {
      const answer = await this.api.lint(request);
      await notebook.revert();
      this._lintSeq++;
      this.findings = answer.findings;
      this.lintProblem = null;
      this._emit();
      return answer.fixed ?? 0;
    } catch (error) {
      this.lintProblem = problemOf(error);
      this._emit();
      return 0;
    }
  }

  /** Select the finding's cell (by id when known, since cells may have moved). */
  jumpTo(finding: IFinding): void {
    const notebook = this._notebook;
    if (!notebook || finding.cell === null) {
      return;
    }
    let index = finding.cell_id ? notebook.cellIndex(finding.cell_id) : -1;
    if (index < 0) {
      index = finding.cell - 1;
    }
    notebook.selectCell(index);
  }

  // ---- runs ------------------------------------------------------------------------

  runs: IRun[] = [];
  runsProblem: IProblem | null = null;
  loadingRuns = false;

  /** Load the notebook's runs, newest first. */
  async refreshRuns(): Promise<void> {
    const notebook = this._notebook;
    if (!notebook) {
      return;
    }
    const seq = ++this._runsSeq;
    this.loadingRuns = true;
    this._emit();
    try {
      const answer = await this.api.runs(notebook.path, 20);
      if (seq !== this._runsSeq) {
        return;
      }
      this.runs = [...answer.runs].sort((a, b) => b.start_time - a.start_time);
      this.runsProblem = null;
    } catch (error) {
      if (seq !== this._runsSeq) {
        return;
      }
      this.runsProblem = problemOf(error);
    }
    this.loadingRuns = false;
    this._emit();
  }

  // ---- export ----------------------------------------------------------------------

  /** Package name as typed (empty: the server's default from the file name). */
  exportName = '';
  /** Output folder as typed (empty: the setting, else the server's default). */
  exportTarget = '';
  plan: IExportPlan | null = null;
  /** The name and folder the dry run resolved. */
  plannedName = '';
  plannedTarget = '';
  planProblem: IProblem | null = null;
  exportState: ExportState = 'idle';
  exportVerifying = false;
  exportResult: IExportAnswer | null = null;
  exportProblem: IProblem | null = null;

  setExportName(name: string): void {
    this.exportName = name.trim();
    this._emit();
  }

  setExportTarget(target: string): void {
    this.exportTarget = target.trim();
    this._emit();
  }

  /** The package name sent to the server, or undefined for its default. */
  get effectiveName(): string | undefined {
    return this.exportName || undefined;
  }

  /** The output folder sent to the server, or undefined for its default. */
  get effectiveTarget(): string | undefined {
    if (this.exportTarget) {
      return this.exportTarget;
    }
    const folder = this._settings.outputFolder.replace(/\/+$/, '');
    const name = this.exportName || this.plannedName;
    if (folder && name) {
      return `${folder}/${name}`;
    }
    return undefined;
  }

  /** Ask the server what an export would do (nothing runs or is written). */
  async planExport(): Promise<void> {
    const notebook = this._notebook;
    if (!notebook) {
      return;
    }
    const seq = ++this._planSeq;
    try {
      const answer = await this.api.export({
        path: notebook.path,
        name: this.effectiveName,
        target: this.effectiveTarget,
        dry_run: true
      });
      if (seq !== this._planSeq) {
        return;
      }
      this.plan = answer.plan;
      this.plannedName = answer.name;
      this.plannedTarget = answer.target;
      this.planProblem = null;
    } catch (error) {
      if (seq !== this._planSeq) {
        return;
      }
      this.plan = null;
      this.planProblem = problemOf(error);
    }
    this._emit();
  }

  /**
   * Export the saved notebook (saving it first). Ends in `done`, `failed`, or
   * `conflict` when the folder exists and `overwrite` was not given.
   */
  async export(
    options: { verify?: boolean; overwrite?: boolean } = {}
  ): Promise<IExportAnswer | null> {
    const notebook = this._notebook;
    if (!notebook || this.exportState === 'running') {
      return null;
    }
    this.exportState = 'running';
    this.exportVerifying = !!options.verify;
    this.exportResult = null;
    this.exportProblem = null;
    this._emit();
    try {
      if (notebook.dirty) {
        await notebook.save();
      }
      const answer = await this.api.export({
        path: notebook.path,
        name: this.effectiveName,
        target: this.effectiveTarget,
        overwrite: !!options.overwrite,
        verify: !!options.verify
      });
      if (notebook !== this._notebook) {
        return answer;
      }
      this.exportResult = answer;
      this.plan = answer.plan ?? this.plan;
      this.exportState =
        answer.scorecard && !answer.scorecard.ok ? 'failed' : 'done';
      this._emit();
      return answer;
    } catch (error) {
      if (notebook !== this._notebook) {
        return null;
      }
      this.exportProblem = problemOf(error);
      this.exportState =
        this.exportProblem.status === 409 ? 'conflict' : 'failed';
      this._emit();
      return null;
    }
  }

  dispose(): void {
    this._cancelScheduledLint();
    this._notebook = null;
    Signal.clearData(this);
  }

  private _cancelScheduledLint(): void {
    if (this._lintTimer !== null) {
      clearTimeout(this._lintTimer);
      this._lintTimer = null;
    }
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _settings: IPanelSettings;
  private _notebook: INotebookHandle | null = null;
  private _lintTimer: ReturnType<typeof setTimeout> | null = null;
  private _lintSeq = 0;
  private _runsSeq = 0;
  private _planSeq = 0;
}
