/**
 * A small role badge on every tagged cell of a notebook.
 *
 * Works on the cell models (JupyterLab 4 windowing may not attach off-screen cells): the
 * role is written as `data-nb2prod-role` on each cell widget's node, which the CSS shows;
 * it follows tag edits (`metadataChanged`) and added or moved cells (`cells.changed`).
 */
import { Cell } from '@jupyterlab/cells';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';

import { cellRole } from './roles';

export const ROLE_ATTRIBUTE = 'data-nb2prod-role';

/** Show (or clear) the role badge of one cell widget. */
export function showRole(cell: Cell): void {
  const role = cell.model ? cellRole(cell.model) : null;
  if (role) {
    cell.node.setAttribute(ROLE_ATTRIBUTE, role);
  } else {
    cell.node.removeAttribute(ROLE_ATTRIBUTE);
  }
}

export class RoleBadges implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  createNew(panel: NotebookPanel): IDisposable {
    const notebook = panel.content;
    const watched = new Set<unknown>();
    const refresh = () => {
      for (const cell of notebook.widgets) {
        showRole(cell);
        if (!watched.has(cell.model)) {
          watched.add(cell.model);
          cell.model.metadataChanged.connect(() => {
            const widget = notebook.widgets.find(w => w.model === cell.model);
            if (widget) {
              showRole(widget);
            }
          });
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
