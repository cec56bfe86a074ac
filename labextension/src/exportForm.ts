/**
 * The Export section's state for one notebook: what was typed, what the server planned,
 * and the last export's result.  The panel keeps one per notebook (by path), so a tab
 * switch never shows one notebook's name, folder, plan or scorecard for another.
 */
import { IContract, IExistingExport, IExportAnswer, IExportPlan } from './api';

/** A refusal or failure as the server worded it. */
export interface IProblem {
  message: string;
  hint: string | null;
  status: number;
  /** The rest of the server's error answer (an export's `name`, `target`, `existing`). */
  details?: Record<string, unknown>;
}

export type ExportState = 'idle' | 'running' | 'done' | 'failed' | 'conflict';

/** Where the shown input contract comes from: a preview run, or the last export. */
export type ContractOrigin = 'preview' | 'export';

export class ExportForm {
  constructor(readonly path: string) {}

  /** Package name as typed (empty: the server's default from the file name). */
  name = '';
  /** Output folder as typed (empty: the setting's folder, else the server's default). */
  target = '';
  /** Model name to register the package as (empty: do not register). */
  register = '';
  /** The input contract the export ships, from a preview or the last export. */
  contract: IContract | null = null;
  contractOrigin: ContractOrigin | null = null;
  /** The notebook was saved since the contract was inferred: it may have changed. */
  contractStale = false;
  previewing = false;
  contractProblem: IProblem | null = null;
  plan: IExportPlan | null = null;
  /** The name and folder the server resolved for the last plan (or refusal). */
  plannedName = '';
  plannedTarget = '';
  /** What the planned folder holds already (null: nothing). */
  existing: IExistingExport | null = null;
  planProblem: IProblem | null = null;
  state: ExportState = 'idle';
  verifying = false;
  result: IExportAnswer | null = null;
  problem: IProblem | null = null;
  /** Counts plan requests: a slower answer to an older one is dropped. */
  planSeq = 0;

  /** The request fields for the name and folder: the server fills in what is missing. */
  where(outputFolder: string): {
    name?: string;
    target?: string;
    folder?: string;
  } {
    const folder = outputFolder.trim().replace(/\/+$/, '');
    return {
      name: this.name || undefined,
      target: this.target || undefined,
      folder: !this.target && folder ? folder : undefined
    };
  }

  /** A contract the server inferred (by a preview run or an export). */
  inferred(
    contract: IContract | null | undefined,
    origin: ContractOrigin
  ): void {
    if (contract) {
      this.contract = contract;
      this.contractOrigin = origin;
      this.contractStale = false;
      this.contractProblem = null;
    }
  }

  /** A plan answer (or a refusal naming the name and folder it was for). */
  planned(answer: IExportAnswer): void {
    this.plan = answer.plan;
    this.plannedName = answer.name;
    this.plannedTarget = answer.target;
    this.existing = answer.existing ?? null;
    this.planProblem = null;
  }

  refused(problem: IProblem): void {
    this.plan = null;
    this.planProblem = problem;
    const details = problem.details ?? {};
    if (typeof details.name === 'string') {
      this.plannedName = details.name;
    }
    if (typeof details.target === 'string') {
      this.plannedTarget = details.target;
    }
    this.existing = (details.existing as IExistingExport | undefined) ?? null;
  }

  /**
   * The earlier export a 409 offers to replace: only this notebook's own, never another
   * notebook's nor a folder of other files (the server refuses those anyway).
   */
  get replaceable(): IExistingExport | null {
    const existing = this.problem?.details?.existing as
      IExistingExport | null | undefined;
    return this.state === 'conflict' && existing?.own ? existing : null;
  }
}

/** A runtime parameter's default as the command line shows it: a required setting the
 * package reads from the environment (`<from $SERVICE_KEY>`) as is, other values as JSON. */
export function parameterText(value: unknown): string {
  return typeof value === 'string' && /^<from \$\w+>$/.test(value)
    ? value
    : JSON.stringify(value);
}
