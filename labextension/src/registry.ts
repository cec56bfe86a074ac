/**
 * The registered versions of the current notebook's model(s), as the Export section lists
 * them: loaded when the notebook changes and after an export registered a version.
 */
import { INb2ProdAPI, IRegisteredModel } from './api';
import { IProblem } from './exportForm';

export class NotebookModels {
  models: IRegisteredModel[] = [];
  /** Why the store has no model registry (null: it has one, or it was not asked yet). */
  unavailable: string | null = null;
  problem: IProblem | null = null;
  loading = false;

  /** Forget what was shown (another notebook). */
  clear(): void {
    this._seq++;
    this.models = [];
    this.unavailable = null;
    this.problem = null;
    this.loading = false;
  }

  /**
   * Load the versions for the notebook at `path`; `changed` is called when loading starts
   * and ends. A slower answer to an older request is dropped.
   */
  async refresh(
    api: INb2ProdAPI,
    path: string,
    changed: () => void,
    problemOf: (error: unknown) => IProblem
  ): Promise<void> {
    const seq = ++this._seq;
    this.loading = true;
    changed();
    try {
      const answer = await api.models(path);
      if (seq !== this._seq) {
        return;
      }
      this.models = answer.models;
      this.unavailable = answer.unavailable;
      this.problem = null;
    } catch (error) {
      if (seq !== this._seq) {
        return;
      }
      this.problem = problemOf(error);
    }
    this.loading = false;
    changed();
  }

  private _seq = 0;
}
