/**
 * The panel's state for the current notebook: lint findings, runs and the export plan.
 *
 * The model knows nothing of widgets: it talks to the server through `INb2ProdAPI` and to
 * the notebook through `INotebookHandle`, and says `changed` when the views should
 * render again. That keeps it testable with Jest and the views free of logic.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IContract,
  IExistingExport,
  IExportAnswer,
  IExportPlan,
  IFinding,
  ILintRequest,
  INb2ProdAPI,
  IRun,
  Nb2ProdRequestError
} from './api';
import {
  ContractOrigin,
  ExportForm,
  ExportState,
  IProblem
} from './exportForm';
import {
  countFindings,
  FindingCounts,
  groupFindings,
  IFindingGroup
} from './findings';
import { NotebookModels } from './registry';

export { ContractOrigin, ExportForm, ExportState, IProblem };
export { countFindings, FindingCounts, groupFindings, IFindingGroup };

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

function problemOf(error: unknown): IProblem {
  if (error instanceof Nb2ProdRequestError) {
    return {
      message: error.message,
      hint: error.hint,
      status: error.status,
      details: error.details
    };
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
    const folder = this._settings.outputFolder;
    this._settings = { ...DEFAULT_SETTINGS, ...value };
    this._emit();
    if (this._notebook && this._settings.outputFolder !== folder) {
      void this.planExport();
    }
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
    this.findings = [];
    this.lintProblem = null;
    this.runs = [];
    this.runsProblem = null;
    this.registry.clear();
    this._emit();
    if (notebook) {
      void this.lint();
      void this.refreshRuns();
      void this.refreshModels();
      // The form keeps what was typed and what the last export gave; a running export
      // is not planned over.
      if (this.exportForm?.state !== 'running') {
        void this.planExport();
      }
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
    const form = this.exportForm;
    if (form?.contract) {
      form.contractStale = true;
    }
    void this.planExport();
  }

  /**
   * Apply the safe fix of `finding` (none: every safe fix) to the saved file, saving
   * first, then reload the notebook.
   */
  async fix(finding?: IFinding): Promise<number> {
    const notebook = this._notebook;
    if (!notebook) {
      return 0;
    }
    if (notebook.dirty) {
      await notebook.save();
    }
    const request: ILintRequest = {
      path: notebook.path,
      fix: finding
        ? {
            code: finding.code,
            cell_id: finding.cell_id,
            line: finding.line,
            column: finding.column
          }
        : true
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

  // ---- registered models -----------------------------------------------------------

  /** The registered versions of the notebook's model(s). */
  readonly registry = new NotebookModels();

  async refreshModels(): Promise<void> {
    const notebook = this._notebook;
    if (notebook) {
      await this.registry.refresh(
        this.api,
        notebook.path,
        () => this._emit(),
        problemOf
      );
    }
  }

  // ---- export ----------------------------------------------------------------------

  /** The current notebook's Export form (null: no notebook). */
  get exportForm(): ExportForm | null {
    return this._notebook ? this.formOf(this._notebook.path) : null;
  }

  /** The Export form of the notebook at `path`, kept while the panel lives. */
  formOf(path: string): ExportForm {
    let form = this._forms.get(path);
    if (!form) {
      form = new ExportForm(path);
      this._forms.set(path, form);
    }
    return form;
  }

  // The current form's fields, for the views.
  get exportName(): string {
    return this.exportForm?.name ?? '';
  }
  get exportTarget(): string {
    return this.exportForm?.target ?? '';
  }
  get registerName(): string {
    return this.exportForm?.register ?? '';
  }
  get contract(): IContract | null {
    return this.exportForm?.contract ?? null;
  }
  get plan(): IExportPlan | null {
    return this.exportForm?.plan ?? null;
  }
  get plannedName(): string {
    return this.exportForm?.plannedName ?? '';
  }
  get plannedTarget(): string {
    return this.exportForm?.plannedTarget ?? '';
  }
  get existing(): IExistingExport | null {
    return this.exportForm?.existing ?? null;
  }
  get planProblem(): IProblem | null {
    return this.exportForm?.planProblem ?? null;
  }
  get exportState(): ExportState {
    return this.exportForm?.state ?? 'idle';
  }
  get exportVerifying(): boolean {
    return this.exportForm?.verifying ?? false;
  }
  get exportResult(): IExportAnswer | null {
    return this.exportForm?.result ?? null;
  }
  get exportProblem(): IProblem | null {
    return this.exportForm?.problem ?? null;
  }

  setExportName(name: string): void {
    const form = this.exportForm;
    if (form) {
      form.name = name.trim();
      this._emit();
    }
  }

  setExportTarget(target: string): void {
    const form = this.exportForm;
    if (form) {
      form.target = target.trim();
      this._emit();
    }
  }

  setRegisterName(name: string): void {
    const form = this.exportForm;
    if (form) {
      form.register = name.trim();
      this._emit();
    }
  }

  /**
   * Run the saved notebook (saving it first) to infer the input contract the export would
   * ship; nothing is written. The answer goes to that notebook's form.
   */
  async previewContract(): Promise<void> {
    const notebook = this._notebook;
    if (!notebook) {
      return;
    }
    const form = this.formOf(notebook.path);
    if (form.previewing || form.state === 'running') {
      return;
    }
    form.previewing = true;
    form.contractProblem = null;
    this._emit();
    try {
      if (notebook.dirty) {
        await notebook.save();
      }
      const answer = await this.api.export({
        path: notebook.path,
        ...form.where(this._settings.outputFolder),
        dry_run: true,
        contract: true
      });
      form.inferred(answer.contract, 'preview');
    } catch (error) {
      form.contractProblem = problemOf(error);
    }
    form.previewing = false;
    this._emit();
  }

  /** Ask the server what an export would do (nothing runs or is written). */
  async planExport(): Promise<void> {
    const notebook = this._notebook;
    if (!notebook) {
      return;
    }
    const form = this.formOf(notebook.path);
    const seq = ++form.planSeq;
    try {
      const answer = await this.api.export({
        path: notebook.path,
        ...form.where(this._settings.outputFolder),
        dry_run: true
      });
      if (seq === form.planSeq) {
        form.planned(answer);
      }
    } catch (error) {
      if (seq === form.planSeq) {
        form.refused(problemOf(error));
      }
    }
    this._emit();
  }

  /**
   * Export the saved notebook (saving it first): the current one, or `notebook` (the one
   * a Replace dialog was for). The result goes to that notebook's form, whichever is
   * shown meanwhile. Ends in `done`, `failed`, or `conflict` when its folder holds
   * something and `overwrite` was not given (or is refused).
   */
  async export(
    options: { verify?: boolean; overwrite?: boolean } = {},
    notebook: INotebookHandle | null = this._notebook
  ): Promise<IExportAnswer | null> {
    if (!notebook) {
      return null;
    }
    const form = this.formOf(notebook.path);
    if (form.state === 'running') {
      return null;
    }
    form.state = 'running';
    form.verifying = !!options.verify || !!form.register;
    form.result = null;
    form.problem = null;
    form.planSeq++; // a plan answered meanwhile is older than this export
    this._emit();
    try {
      if (notebook.dirty) {
        await notebook.save();
      }
      const register = form.register || undefined;
      const answer = await this.api.export({
        path: notebook.path,
        ...form.where(this._settings.outputFolder),
        overwrite: !!options.overwrite,
        // registering logs the package, which is verified first (as the CLI does)
        verify: !!options.verify || !!register,
        register
      });
      form.result = answer;
      form.inferred(answer.contract, 'export');
      if (answer.registered && notebook === this._notebook) {
        void this.refreshModels();
        void this.refreshRuns(); // the run that logged the registered model
      }
      form.plan = answer.plan ?? form.plan;
      form.plannedName = answer.name;
      form.plannedTarget = answer.target;
      form.existing = { notebook: notebook.path, own: true };
      form.state = answer.scorecard && !answer.scorecard.ok ? 'failed' : 'done';
    } catch (error) {
      form.problem = problemOf(error);
      form.state = form.problem.status === 409 ? 'conflict' : 'failed';
    }
    this._emit();
    return form.result;
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
  private _forms = new Map<string, ExportForm>();
}
