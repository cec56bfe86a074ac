/**
 * Every REST call of the panel, in one place (nb2prod/server/openapi.yaml documents them).
 *
 * Requests go through `ServerConnection.makeRequest` with the application's server
 * settings, so the token, the XSRF header and the base URL (JupyterHub) are those of the
 * running JupyterLab; never a bare `fetch`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** The URL namespace of the server extension. */
export const NAMESPACE = 'nb2prod';

export type Severity = 'error' | 'warning' | 'info';

/** One lint finding (ARCHITECTURE §4.2), with its rule's summary in `doc`. */
export interface IFinding {
  code: string;
  name: string;
  severity: Severity;
  message: string;
  path: string;
  /** 1-based over all cells, as Jupyter counts; null for notebook-level findings. */
  cell: number | null;
  cell_id: string | null;
  line: number | null;
  column: number | null;
  end_line?: number | null;
  end_column?: number | null;
  ipynb_line?: number | null;
  /** What the safe fix does, or null when there is none. */
  fix: string | null;
  doc?: string;
}

export interface ILintAnswer {
  version: number;
  findings: IFinding[];
  fixed?: number;
}

export interface ILintRequest {
  path?: string;
  notebook?: unknown;
  select?: string[];
  ignore?: string[];
  profile?: string;
  /** true: every safe fix; a finding's position: that finding's fix only. */
  fix?: boolean | IFixTarget;
}

/** The finding whose fix alone applies. */
export interface IFixTarget {
  code: string;
  cell_id: string | null;
  line: number | null;
  column: number | null;
}

export interface IRun {
  run_id: string;
  name: string;
  status: string;
  /** Milliseconds since the epoch. */
  start_time: number;
  end_time?: number | null;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags?: Record<string, string>;
  experiment?: string;
  ui_url?: string | null;
  /** What recorded the run: `cell`, `job`, `drift`, `promote`, `shadow`, … */
  kind?: string;
  /** A drift check's, promotion's or shadow comparison's verdict (null for others). */
  verdict?: string | null;
  /** The registered model a drift, promotion or shadow run was about. */
  model?: string | null;
}

export interface IRunsAnswer {
  runs: IRun[];
  next_page_token?: string | null;
}

export interface IExportPlan {
  inputs: string[];
  output: string;
  runtime_parameters: Record<string, unknown>;
  build_parameters: string[];
  roles: Record<string, number[]>;
  dependencies: string[];
}

/** One column of a DataFrame input, as the package checks it. */
export interface IColumnContract {
  name: string | null;
  dtype: string;
  /** `int`, `float`, `bool`, `str`, `category`, `datetime` or `other`. */
  type: string;
  nullable: boolean;
  /** Where the range, categories and nulls were seen: `example` or `reference`. */
  source: string;
  min?: number;
  max?: number;
  categories?: Array<string | number | boolean>;
}

/** One input of `predict()` (`_contract.json`'s `inputs[name]`). */
export interface IInputContract {
  kind: 'dataframe' | 'series' | 'ndarray' | 'list' | 'dict' | 'scalar';
  source?: string;
  rows_seen?: number;
  columns?: IColumnContract[];
  column?: IColumnContract;
  dtype?: string;
  type?: string;
  shape?: Array<number | null>;
  nullable?: boolean;
  items?: IInputContract | null;
  keys?: Record<string, IInputContract>;
}

/** The input contract an export ships (`src/NAME/_contract.json`). */
export interface IContract {
  format: number;
  inputs: Record<string, IInputContract>;
}

/** The model version an export registered. */
export interface IRegistered {
  name: string;
  version: string;
  uri: string;
  run_id: string | null;
}

export interface IModelVersion {
  version: string;
  aliases: string[];
  run_id: string | null;
  /** Milliseconds since the epoch. */
  created: number;
  commit: string | null;
  ui_url: string | null;
}

/** A registered model with the versions this notebook's exports registered. */
export interface IRegisteredModel {
  name: string;
  aliases: Record<string, string>;
  /** Newest first. */
  versions: IModelVersion[];
}

export interface IModelsAnswer {
  models: IRegisteredModel[];
  /** Why the store has no model registry (null: it has one). */
  unavailable: string | null;
}

export interface IScorecardCheck {
  name: string;
  ok: boolean;
  detail?: string;
  diff?: string[];
}

export interface IScorecard {
  ok: boolean;
  checks: IScorecardCheck[];
  text?: string;
}

export interface IExportRequest {
  path: string;
  name?: string;
  target?: string;
  /** Folder for NAME/ when no target is given (the default-folder setting). */
  folder?: string;
  dry_run?: boolean;
  overwrite?: boolean;
  verify?: boolean;
  /** Register the package as a new version of this model (verifies and logs it). */
  register?: string;
  /** With dry_run: run the notebook to infer the input contract (nothing is written). */
  contract?: boolean;
}

export interface IExportAnswer {
  name: string;
  target: string;
  files: string[];
  plan: IExportPlan;
  notes?: string[];
  scorecard?: IScorecard | null;
  /** A plan's: what the output folder holds already (null: nothing). */
  existing?: IExistingExport | null;
  /** The input contract the package ships (a plain plan: null). */
  contract?: IContract | null;
  registered?: IRegistered | null;
}

/** An output folder that holds something: whose export (null: not an export). */
export interface IExistingExport {
  notebook: string | null;
  own: boolean;
}

export interface IServerConfig {
  version: string;
  tracking_uri: string;
  mlflow_ui_url: string | null;
  roles: string[];
  role_tags: Record<string, string>;
}

/** The JSON of an error answer: nb2prod's `message` and `hint`, or Tornado's `reason`. */
interface IErrorAnswer {
  message?: string;
  reason?: string;
  hint?: string | null;
}

/** An answer other than 2xx: the server's message and hint, and the HTTP status. */
export class Nb2ProdRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint: string | null = null,
    /** The whole error answer (an export's adds `name`, `target`, `existing`). */
    readonly details: Record<string, unknown> = {}
  ) {
    super(message);
    this.name = 'Nb2ProdRequestError';
  }
}

/**
 * Call `/nb2prod/<endpoint>` and return its JSON answer.
 *
 * Raises `Nb2ProdRequestError` with the server's message for HTTP errors, and with
 * status 0 when the server cannot be reached at all.
 */
export async function requestAPI<T>(
  settings: ServerConnection.ISettings,
  endpoint: string,
  init: RequestInit = {},
  query: Record<string, string | number | undefined> = {}
): Promise<T> {
  const params = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(
      ([key, value]) =>
        `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`
    )
    .join('&');
  const url =
    URLExt.join(settings.baseUrl, NAMESPACE, endpoint) +
    (params ? `?${params}` : '');
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new Nb2ProdRequestError(0, String((error as Error).message ?? error));
  }
  const text = await response.text();
  let data: unknown = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { message: text };
    }
  }
  if (!response.ok) {
    const error = (data ?? {}) as IErrorAnswer;
    const message =
      error.message ||
      error.reason ||
      response.statusText ||
      `HTTP ${response.status}`;
    throw new Nb2ProdRequestError(
      response.status,
      message,
      error.hint ?? null,
      data && typeof data === 'object' ? (data as Record<string, unknown>) : {}
    );
  }
  return data as T;
}

/** The server extension's endpoints, bound to one server. */
export class Nb2ProdAPI {
  constructor(readonly settings: ServerConnection.ISettings) {}

  /** `GET version`: the server extension's version. */
  async version(): Promise<string> {
    const answer = await requestAPI<{ version: string }>(
      this.settings,
      'version'
    );
    return answer.version;
  }

  /** `GET config`: what the server resolved (secrets redacted). */
  config(): Promise<IServerConfig> {
    return requestAPI<IServerConfig>(this.settings, 'config');
  }

  /** `POST lint`: findings of a saved notebook (path) or of unsaved JSON (notebook). */
  lint(request: ILintRequest): Promise<ILintAnswer> {
    return requestAPI<ILintAnswer>(this.settings, 'lint', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  /** `GET runs`: the notebook's runs, newest first. */
  runs(
    path: string,
    maxResults?: number,
    pageToken?: string
  ): Promise<IRunsAnswer> {
    return requestAPI<IRunsAnswer>(
      this.settings,
      'runs',
      { method: 'GET' },
      { path, max_results: maxResults, page_token: pageToken }
    );
  }

  /** `GET models`: the registered versions of the notebook's model, with their aliases. */
  models(path: string): Promise<IModelsAnswer> {
    return requestAPI<IModelsAnswer>(
      this.settings,
      'models',
      { method: 'GET' },
      { path }
    );
  }

  /** `POST export`: the plan (dry_run) or the package written, verified on request. */
  export(request: IExportRequest): Promise<IExportAnswer> {
    return requestAPI<IExportAnswer>(this.settings, 'export', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }
}

/** The subset of `Nb2ProdAPI` the model uses (so tests can hand it a fake). */
export type INb2ProdAPI = Pick<
  Nb2ProdAPI,
  'version' | 'config' | 'lint' | 'runs' | 'models' | 'export'
>;
