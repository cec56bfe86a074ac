/** The panel model against a fake API and a fake notebook: no widgets, no server. */
import {
  IExportAnswer,
  IExportRequest,
  IFinding,
  ILintAnswer,
  ILintRequest,
  IContract,
  IModelsAnswer,
  INb2ProdAPI,
  IRunsAnswer,
  Nb2ProdRequestError
} from '../api';
import {
  countFindings,
  groupFindings,
  INotebookHandle,
  PanelModel
} from '../model';

function finding(overrides: Partial<IFinding>): IFinding {
  return {
    code: 'NB201',
    name: 'hardcoded-absolute-path',
    severity: 'error',
    message: 'absolute path',
    path: 'n.ipynb',
    cell: 1,
    cell_id: 'c1',
    line: 1,
    column: 1,
    fix: null,
    doc: 'Flags absolute paths.',
    ...overrides
  };
}

const PLAN: IExportAnswer = {
  name: 'shipping_quotes',
  target: 'build/shipping_quotes',
  files: [],
  plan: {
    inputs: ['parcels'],
    output: 'quotes',
    runtime_parameters: { express: false },
    build_parameters: ['rates_path'],
    roles: { parameters: [2], predict: [7] },
    dependencies: []
  },
  scorecard: null
};

class FakeAPI implements INb2ProdAPI {
  lintRequests: ILintRequest[] = [];
  exportRequests: IExportRequest[] = [];
  runsRequests: string[] = [];
  lintAnswers: Array<ILintAnswer | Promise<ILintAnswer>> = [];
  runsAnswer: IRunsAnswer | Error = { runs: [], next_page_token: null };
  modelsRequests: string[] = [];
  modelsAnswer: IModelsAnswer | Error = { models: [], unavailable: null };
  exportAnswer: (request: IExportRequest) => Promise<IExportAnswer> =
    async () => PLAN;

  async version() {
    return '0.1.0';
  }
  async config() {
    return {
      version: '0.1.0',
      tracking_uri: 'sqlite:///x',
      mlflow_ui_url: null,
      roles: [],
      role_tags: {}
    };
  }
  lint(request: ILintRequest) {
    this.lintRequests.push(request);
    return Promise.resolve(
      this.lintAnswers.shift() ?? { version: 1, findings: [] }
    );
  }
  async runs(path: string) {
    this.runsRequests.push(path);
    if (this.runsAnswer instanceof Error) {
      throw this.runsAnswer;
    }
    return this.runsAnswer;
  }
  async models(path: string) {
    this.modelsRequests.push(path);
    if (this.modelsAnswer instanceof Error) {
      throw this.modelsAnswer;
    }
    return this.modelsAnswer;
  }
  export(request: IExportRequest) {
    this.exportRequests.push(request);
    return this.exportAnswer(request);
  }
}

class FakeNotebook implements INotebookHandle {
  path = 'work/n.ipynb';
  dirty = false;
  saves = 0;
  reverts = 0;
  selected: number[] = [];
  ids = ['c1', 'c2', 'c3'];
  toJSON() {
    return { cells: this.ids.map(id => ({ id })), edited: true };
  }
  async save() {
    this.saves++;
    this.dirty = false;
  }
  async revert() {
    this.reverts++;
  }
  selectCell(index: number) {
    this.selected.push(index);
  }
  cellIndex(cellId: string) {
    return this.ids.indexOf(cellId);
  }
}

const CONTRACT: IContract = {
  format: 1,
  inputs: {
    parcels: {
      kind: 'dataframe',
      source: 'reference',
      rows_seen: 120,
      columns: [
        {
          name: 'weight_kg',
          dtype: 'float64',
          type: 'float',
          nullable: false,
          source: 'reference',
          min: 0.1,
          max: 30
        }
      ]
    }
  }
};

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('groupFindings / countFindings', () => {
  it('groups by cell in cell order, notebook-level first, errors first within a cell', () => {
    const groups = groupFindings([
      finding({ cell: 3, severity: 'info', code: 'NB601' }),
      finding({ cell: 3, severity: 'error', code: 'NB202', line: 2 }),
      finding({ cell: null, cell_id: null, code: 'NB701' }),
      finding({ cell: 1 })
    ]);
    expect(groups.map(g => g.cell)).toEqual([null, 1, 3]);
    expect(groups[2].findings.map(f => f.code)).toEqual(['NB202', 'NB601']);
  });

  it('counts by severity', () => {
    expect(
      countFindings([
        finding({}),
        finding({ severity: 'warning' }),
        finding({ severity: 'error' })
      ])
    ).toEqual({ error: 2, warning: 1, info: 0 });
  });
});

describe('PanelModel', () => {
  let api: FakeAPI;
  let notebook: FakeNotebook;
  let model: PanelModel;

  beforeEach(() => {
    api = new FakeAPI();
    notebook = new FakeNotebook();
    model = new PanelModel(api, { lintDelay: 800 });
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  it('looks at a new notebook at once: saved file linted by path, runs and the export plan loaded', async () => {
    api.lintAnswers.push({ version: 1, findings: [finding({})] });
    model.setNotebook(notebook);
    await flush();
    expect(api.lintRequests).toEqual([{ path: 'work/n.ipynb' }]);
    expect(api.runsRequests).toEqual(['work/n.ipynb']);
    expect(api.exportRequests[0]).toMatchObject({
      path: 'work/n.ipynb',
      dry_run: true
    });
    expect(model.findings).toHaveLength(1);
    expect(model.plan?.runtime_parameters).toEqual({ express: false });
    expect(model.plannedName).toBe('shipping_quotes');
  });

  it('lints the unsaved JSON once typing pauses, only once for a burst of edits', async () => {
    model.setNotebook(notebook);
    await flush();
    jest.useFakeTimers();
    api.lintRequests = [];
    notebook.dirty = true;
    model.contentChanged();
    jest.advanceTimersByTime(500);
    model.contentChanged();
    jest.advanceTimersByTime(500);
    expect(api.lintRequests).toHaveLength(0);
    jest.advanceTimersByTime(300);
    expect(api.lintRequests).toHaveLength(1);
    expect(api.lintRequests[0].path).toBe('work/n.ipynb');
    expect(api.lintRequests[0].notebook).toEqual(notebook.toJSON());
  });

  it('does not lint while typing when auto-lint is off', async () => {
    model.settings = { ...model.settings, autoLint: false };
    model.setNotebook(notebook);
    await flush();
    jest.useFakeTimers();
    api.lintRequests = [];
    model.contentChanged();
    jest.advanceTimersByTime(5000);
    expect(api.lintRequests).toHaveLength(0);
  });

  it('sends the lint profile of the settings', async () => {
    model.settings = { ...model.settings, profile: 'prod' };
    model.setNotebook(notebook);
    await flush();
    expect(api.lintRequests[0]).toEqual({
      path: 'work/n.ipynb',
      profile: 'prod'
    });
  });

  it('drops a slower answer to an older lint request', async () => {
    let resolveOld: (a: ILintAnswer) => void = () => undefined;
    api.lintAnswers.push(new Promise(resolve => (resolveOld = resolve)));
    api.lintAnswers.push({ version: 1, findings: [finding({ code: 'NEW' })] });
    model.setNotebook(notebook);
    await model.lint(true);
    resolveOld({ version: 1, findings: [finding({ code: 'OLD' })] });
    await flush();
    expect(model.findings.map(f => f.code)).toEqual(['NEW']);
  });

  it('keeps the server message when linting fails', async () => {
    api.lint = () =>
      Promise.reject(new Nb2ProdRequestError(400, 'bad notebook', 'fix JSON'));
    model.setNotebook(notebook);
    await flush();
    expect(model.lintProblem).toMatchObject({
      message: 'bad notebook',
      hint: 'fix JSON',
      status: 400
    });
  });

  it('jumps to the cell by id, falling back to the cell number', () => {
    model.setNotebook(notebook);
    model.jumpTo(finding({ cell: 1, cell_id: 'c3' }));
    model.jumpTo(finding({ cell: 2, cell_id: 'gone' }));
    model.jumpTo(finding({ cell: 2, cell_id: null }));
    model.jumpTo(finding({ cell: null, cell_id: null }));
    expect(notebook.selected).toEqual([2, 1, 1]);
  });

  it('fixes: saves first, asks the server to fix the file, reloads the notebook', async () => {
    model.setNotebook(notebook);
    await flush();
    notebook.dirty = true;
    api.lintRequests = [];
    api.lintAnswers.push({ version: 1, findings: [], fixed: 2 });
    expect(await model.fix()).toBe(2);
    expect(notebook.saves).toBe(1);
    expect(api.lintRequests).toEqual([{ path: 'work/n.ipynb', fix: true }]);
    expect(notebook.reverts).toBe(1);
    expect(model.findings).toEqual([]);
  });

  it('shows runs newest first and the 503 message when the store is unreachable', async () => {
    api.runsAnswer = {
      runs: [
        {
          run_id: 'a',
          name: 'old',
          status: 'FINISHED',
          start_time: 1,
          params: {},
          metrics: {}
        },
        {
          run_id: 'b',
          name: 'new',
          status: 'RUNNING',
          start_time: 5,
          params: {},
          metrics: {}
        }
      ]
    };
    model.setNotebook(notebook);
    await flush();
    expect(model.runs.map(r => r.name)).toEqual(['new', 'old']);
    api.runsAnswer = new Nb2ProdRequestError(503, 'MLflow unreachable');
    await model.refreshRuns();
    expect(model.runsProblem?.status).toBe(503);
  });

  it('keeps the refusal of the plan, naming the cell to fix', async () => {
    api.exportAnswer = () =>
      Promise.reject(
        new Nb2ProdRequestError(422, 'cell 7: no predict cell', 'tag one')
      );
    model.setNotebook(notebook);
    await flush();
    expect(model.plan).toBeNull();
    expect(model.planProblem?.message).toBe('cell 7: no predict cell');
  });

  it('exports the saved notebook, with the output folder of the settings', async () => {
    model.settings = { ...model.settings, outputFolder: 'packages/' };
    model.setNotebook(notebook);
    await flush();
    notebook.dirty = true;
    api.exportRequests = [];
    api.exportAnswer = async () => ({
      ...PLAN,
      target: 'packages/shipping_quotes',
      files: ['packages/shipping_quotes/pyproject.toml'],
      scorecard: { ok: true, checks: [{ name: 'same answers', ok: true }] }
    });
    const states: string[] = [];
    model.changed.connect(() => states.push(model.exportState));
    const answer = await model.export({ verify: true });
    expect(notebook.saves).toBe(1);
    expect(api.exportRequests).toEqual([
      {
        path: 'work/n.ipynb',
        name: undefined,
        target: undefined,
        folder: 'packages',
        overwrite: false,
        verify: true
      }
    ]);
    expect(states[0]).toBe('running');
    expect(model.exportState).toBe('done');
    expect(answer?.files).toEqual(['packages/shipping_quotes/pyproject.toml']);
  });

  it('says conflict when the package folder exists, failed when verification fails', async () => {
    model.setNotebook(notebook);
    await flush();
    api.exportAnswer = () =>
      Promise.reject(new Nb2ProdRequestError(409, 'build/x already exists'));
    await model.export();
    expect(model.exportState).toBe('conflict');
    api.exportAnswer = async () => ({
      ...PLAN,
      scorecard: { ok: false, checks: [{ name: 'same answers', ok: false }] }
    });
    await model.export({ overwrite: true, verify: true });
    expect(api.exportRequests.pop()?.overwrite).toBe(true);
    expect(model.exportState).toBe('failed');
  });

  it('Fix sends the one finding whose fix applies', async () => {
    model.setNotebook(notebook);
    await flush();
    api.lintRequests = [];
    api.lintAnswers.push({ version: 1, findings: [], fixed: 1 });
    const pip = finding({ code: 'NB406', cell_id: 'c2', line: 3, column: 1 });
    expect(await model.fix(pip)).toBe(1);
    expect(api.lintRequests).toEqual([
      {
        path: 'work/n.ipynb',
        fix: { code: 'NB406', cell_id: 'c2', line: 3, column: 1 }
      }
    ]);
  });

  it("keeps each notebook's name, folder and plan; never sends another's", async () => {
    model.settings = { ...model.settings, outputFolder: 'pkgs' };
    api.exportAnswer = async request => ({
      ...PLAN,
      name: request.name ?? request.path.replace(/.*\/|\.ipynb$/g, ''),
      target: request.target ?? `${request.folder}/${request.name ?? 'x'}`
    });
    model.setNotebook(notebook);
    await flush();
    model.setExportName('quotes_pkg');
    model.setExportTarget('out/q');
    await model.planExport();

    const other = new FakeNotebook();
    other.path = 'work/cancer.ipynb';
    api.exportRequests = [];
    model.setNotebook(other);
    await flush();
    expect(model.exportName).toBe('');
    expect(model.exportTarget).toBe('');
    expect(model.plannedName).toBe('cancer');
    expect(api.exportRequests).toEqual([
      {
        path: 'work/cancer.ipynb',
        name: undefined,
        target: undefined,
        folder: 'pkgs',
        dry_run: true
      }
    ]);

    model.setNotebook(notebook);
    await flush();
    expect(model.exportName).toBe('quotes_pkg');
    expect(model.exportTarget).toBe('out/q');
    expect(api.exportRequests.pop()).toMatchObject({
      name: 'quotes_pkg',
      target: 'out/q'
    });
  });

  it('a refused plan still names its notebook and folder (no stale placeholder)', async () => {
    api.exportAnswer = () =>
      Promise.reject(
        new Nb2ProdRequestError(422, 'no predict cell', null, {
          name: 'n',
          target: 'work/build/n',
          existing: null
        })
      );
    model.setNotebook(notebook);
    await flush();
    expect(model.plannedName).toBe('n');
    expect(model.plannedTarget).toBe('work/build/n');
  });

  it("an export's result stays with its notebook across a tab switch", async () => {
    model.setNotebook(notebook);
    await flush();
    let finish: (answer: IExportAnswer) => void = () => undefined;
    api.exportAnswer = () => new Promise(resolve => (finish = resolve));
    const exporting = model.export({ verify: true });
    await flush();
    expect(model.exportState).toBe('running');

    const other = new FakeNotebook();
    other.path = 'work/other.ipynb';
    api.exportAnswer = async () => PLAN;
    model.setNotebook(other);
    await flush();
    expect(model.exportState).toBe('idle');
    const card = { ok: true, checks: [{ name: 'same answers', ok: true }] };
    finish({ ...PLAN, files: ['build/shipping_quotes/a.py'], scorecard: card });
    await exporting;
    expect(model.exportResult).toBeNull();

    model.setNotebook(notebook);
    await flush();
    expect(model.exportState).toBe('done');
    expect(model.exportResult?.scorecard).toEqual(card);
    expect(model.exportResult?.files).toEqual(['build/shipping_quotes/a.py']);
  });

  it("offers Replace only for the notebook's own earlier export", async () => {
    model.setNotebook(notebook);
    await flush();
    const conflict = (own: boolean) => () =>
      Promise.reject(
        new Nb2ProdRequestError(409, 'build/x holds an export', null, {
          target: 'build/x',
          existing: { notebook: own ? 'work/n.ipynb' : 'work/o.ipynb', own }
        })
      );
    api.exportAnswer = conflict(false);
    await model.export();
    expect(model.exportState).toBe('conflict');
    expect(model.exportForm?.replaceable).toBeNull();
    api.exportAnswer = conflict(true);
    await model.export();
    expect(model.exportForm?.replaceable).toEqual({
      notebook: 'work/n.ipynb',
      own: true
    });
  });

  it("loads the notebook's registered versions, and again after an export registered one", async () => {
    api.modelsAnswer = {
      models: [
        {
          name: 'quotes',
          aliases: { champion: '1' },
          versions: [
            {
              version: '1',
              aliases: ['champion'],
              run_id: 'r1',
              created: 1,
              commit: null,
              ui_url: null
            }
          ]
        }
      ],
      unavailable: null
    };
    model.setNotebook(notebook);
    await flush();
    expect(api.modelsRequests).toEqual(['work/n.ipynb']);
    expect(model.registry.models[0].versions[0].aliases).toEqual(['champion']);

    model.setRegisterName('  quotes ');
    api.exportRequests = [];
    api.exportAnswer = async () => ({
      ...PLAN,
      contract: CONTRACT,
      registered: {
        name: 'quotes',
        version: '2',
        uri: 'models:/quotes/2',
        run_id: 'r2'
      },
      scorecard: { ok: true, checks: [] }
    });
    expect(model.exportVerifying).toBe(false);
    const exporting = model.export({ verify: false });
    expect(model.exportVerifying).toBe(true); // registering verifies first
    await exporting;
    await flush();
    expect(api.exportRequests[0]).toMatchObject({
      register: 'quotes',
      verify: true
    });
    expect(api.modelsRequests).toHaveLength(2);
    expect(api.runsRequests).toHaveLength(2);
    expect(model.contract).toEqual(CONTRACT);
    expect(model.exportForm?.contractOrigin).toBe('export');
  });

  it('says why the store has no registry, and keeps the 503 message', async () => {
    api.modelsAnswer = { models: [], unavailable: 'the store is a folder' };
    model.setNotebook(notebook);
    await flush();
    expect(model.registry.unavailable).toBe('the store is a folder');
    api.modelsAnswer = new Nb2ProdRequestError(503, 'store down', 'start it');
    await model.refreshModels();
    expect(model.registry.problem).toMatchObject({
      status: 503,
      hint: 'start it'
    });
  });

  it('previews the contract without writing, per notebook, stale once saved', async () => {
    model.setNotebook(notebook);
    await flush();
    notebook.dirty = true;
    api.exportRequests = [];
    api.exportAnswer = async request => ({
      ...PLAN,
      contract: request.contract ? CONTRACT : null
    });
    await model.previewContract();
    expect(notebook.saves).toBe(1);
    expect(api.exportRequests[0]).toMatchObject({
      dry_run: true,
      contract: true
    });
    expect(model.contract).toEqual(CONTRACT);
    expect(model.exportForm?.contractOrigin).toBe('preview');
    model.saved();
    await flush();
    expect(model.exportForm?.contractStale).toBe(true);
    expect(model.contract).toEqual(CONTRACT); // a plain plan keeps it

    const other = new FakeNotebook();
    other.path = 'work/other.ipynb';
    model.setNotebook(other);
    await flush();
    expect(model.contract).toBeNull();
    model.setNotebook(notebook);
    expect(model.contract).toEqual(CONTRACT);
  });

  it('keeps the reason a preview failed', async () => {
    model.setNotebook(notebook);
    await flush();
    api.exportAnswer = async () => {
      throw new Nb2ProdRequestError(422, 'cell 7 failed', 'fix the cell');
    };
    await model.previewContract();
    expect(model.exportForm?.contractProblem?.message).toBe('cell 7 failed');
    expect(model.exportForm?.previewing).toBe(false);
  });

  it('forgets everything when the notebook goes away', async () => {
    api.lintAnswers.push({ version: 1, findings: [finding({})] });
    model.setNotebook(notebook);
    await flush();
    model.setNotebook(null);
    expect(model.findings).toEqual([]);
    expect(model.plan).toBeNull();
    expect(model.notebook).toBeNull();
  });
});
