/**
 * The role badge of every cell: a small button over the cell's prompt showing its role
 * (tag or first-line marker); a click opens the role menu. Cells without a role show it
 * when active or hovered, so the role can be set on every cell (the cell toolbar hides
 * itself over long first lines).
 *
 * Works on the cell models (JupyterLab 4 windowing may not attach off-screen cells): the
 * role is written as `data-nb2prod-role` on each cell widget's node; it follows tag edits
 * (`metadataChanged`), source edits (`contentChanged`) and added or moved cells.
 */
import { Cell, ICellModel } from '@jupyterlab/cells';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';

import { cellRole } from './roles';

export const ROLE_ATTRIBUTE = 'data-nb2prod-role';
const BADGE_CLASS = 'jp-nb2prod-roleBadge';

export class RoleBadges implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  /** `pickRole`: the command that opens the role menu of the active cell. */
  constructor(
    private readonly _commands: CommandRegistry,
    private readonly _pickRole: string,
    private readonly _trans: TranslationBundle
  ) {}

  /** Show (or clear) the role badge of one cell widget. */
  showRole(panel: NotebookPanel, cell: Cell): void {
    const role = cell.model ? cellRole(cell.model) : null;
    if (role) {
      cell.node.setAttribute(ROLE_ATTRIBUTE, role);
    } else {
      cell.node.removeAttribute(ROLE_ATTRIBUTE);
    }
    let badge = cell.node.querySelector<HTMLButtonElement>(
      `:scope > .${BADGE_CLASS}`
    );
    if (cell.model.type !== 'code' && !role) {
      badge?.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement('button');
      badge.className = BADGE_CLASS;
      badge.addEventListener('mousedown', event => event.stopPropagation());
      badge.addEventListener('click', event => {
        event.stopPropagation();
        const index = panel.content.widgets.indexOf(cell);
        if (index >= 0) {
          panel.content.activeCellIndex = index;
          void this._commands.execute(this._pickRole);
        }
      });
      cell.node.appendChild(badge);
    }
    badge.textContent = role ?? this._trans.__('role');
    badge.title = role
      ? this._trans.__('Cell role %1 (nb2prod): click to change it', role)
      : this._trans.__('Give this cell an nb2prod role');
  }

  createNew(panel: NotebookPanel): IDisposable {
    const notebook = panel.content;
    const watched = new Set<ICellModel>();
    const show = (model: ICellModel) => {
      const widget = notebook.widgets.find(w => w.model === model);
      if (widget) {
        this.showRole(panel, widget);
      }
    };
    const refresh = () => {
      for (const cell of notebook.widgets) {
        this.showRole(panel, cell);
        if (!watched.has(cell.model)) {
          const model = cell.model;
          watched.add(model);
          model.metadataChanged.connect(() => show(model));
          model.contentChanged.connect(() => show(model));
        }
      }
    };
    // Cell widgets exist only after the notebook handled the change: look on the next tick.
    const later = () => setTimeout(refresh, 0);
    const connect = () => {
      notebook.model?.cells.changed.connect(later);
      later();
    };
    notebook.modelChanged.connect(connect);
    void panel.context.ready.then(connect);
    return new DisposableDelegate(() => {
      notebook.modelChanged.disconnect(connect);
      notebook.model?.cells.changed.disconnect(later);
    });
  }
}
