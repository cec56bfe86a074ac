/**
 * nb2prod's JupyterLab plugin: the side panel (Lint, Runs, Export), the Export toolbar
 * button, cell-role commands and badges, and the server-extension check.
 *
 * UI only: every decision (findings, roles, export plans, runs) comes from the server
 * extension through `api.ts`.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { Cell } from '@jupyterlab/cells';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { tagIcon } from '@jupyterlab/ui-components';
import { Menu } from '@lumino/widgets';

import { Nb2ProdAPI } from './api';
import { RoleBadges } from './badges';
import { nb2prodIcon } from './icons';
import {
  DEFAULT_SETTINGS,
  INotebookHandle,
  IPanelSettings,
  PanelModel
} from './model';
import { cellRole, Role, ROLES, setCellRole } from './roles';
import { checkServer, problemText } from './version';
import { Nb2ProdPanel, PANEL_ID } from './widgets/Panel';

const PLUGIN_ID = 'nb2prod:plugin';

export const CommandIDs = {
  openPanel: 'nb2prod:open-panel',
  lint: 'nb2prod:lint',
  exportNotebook: 'nb2prod:export',
  setRole: 'nb2prod:set-role',
  pickRole: 'nb2prod:pick-role'
} as const;

/** Cells whose run may have logged an MLflow run: `%%nb2prod track`, `%nb2prod start|end`. */
const TRACKING_CELL = /^\s*%%?nb2prod\b/m;

/** The model's view of a notebook panel. */
function notebookHandle(panel: NotebookPanel): INotebookHandle {
  const context = panel.context;
  return {
    get path() {
      return context.localPath;
    },
    get dirty() {
      return context.model.dirty;
    },
    toJSON: () => context.model.toJSON(),
    save: () => context.save(),
    revert: () => context.revert(),
    cellIndex: (cellId: string) => {
      const cells = context.model.cells;
      for (let i = 0; i < cells.length; i++) {
        if (cells.get(i).id === cellId) {
          return i;
        }
      }
      return -1;
    },
    selectCell: (index: number) => {
      const notebook = panel.content;
      if (index < 0 || index >= notebook.widgets.length) {
        return;
      }
      notebook.deselectAll();
      notebook.activeCellIndex = index;
      notebook.mode = 'command';
      void notebook.scrollToItem(index, 'center');
    }
  };
}

function readSettings(settings: ISettingRegistry.ISettings): IPanelSettings {
  const composite = settings.composite as Partial<IPanelSettings>;
  return { ...DEFAULT_SETTINGS, ...composite };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'nb2prod: lint findings, runs and one-click export of the current notebook.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ILayoutRestorer, ISettingRegistry, ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ) => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('nb2prod');
    const api = new Nb2ProdAPI(app.serviceManager.serverSettings);
    const model = new PanelModel(api);
    const panel = new Nb2ProdPanel({
      model,
      commands: app.commands,
      translator,
      trans
    });
    app.shell.add(panel, 'right', { rank: 650 });
    restorer?.add(panel, PANEL_ID);

    if (settingRegistry) {
      void settingRegistry.load(PLUGIN_ID).then(
        settings => {
          model.settings = readSettings(settings);
          settings.changed.connect(() => {
            model.settings = readSettings(settings);
          });
        },
        reason => console.warn('nb2prod: settings not loaded', reason)
      );
    }

    followCurrentNotebook(tracker, model);
    refreshRunsAfterTrackedCells(tracker, model);
    addCommands(app, tracker, model, panel, trans);
    app.docRegistry.addWidgetExtension(
      'Notebook',
      new RoleBadges(app.commands, CommandIDs.pickRole, trans)
    );
    palette?.addItem({ command: CommandIDs.lint, category: 'nb2prod' });
    palette?.addItem({ command: CommandIDs.openPanel, category: 'nb2prod' });

    // One dialog when the server extension is missing or at another version.
    void app.restored
      .then(() => checkServer(api))
      .then(problem => {
        if (problem) {
          const { title, body } = problemText(problem, trans);
          void showDialog({ title, body, buttons: [Dialog.okButton()] });
        }
      });
  }
};

/** Point the model at the current notebook and tell it about edits and saves. */
function followCurrentNotebook(
  tracker: INotebookTracker,
  model: PanelModel
): void {
  let current: NotebookPanel | null = null;
  const onContent = () => model.contentChanged();
  const onSave = (_: unknown, state: string) => {
    if (state === 'completed') {
      model.saved();
    }
  };
  const follow = async (panel: NotebookPanel | null) => {
    if (current) {
      current.context.model.contentChanged.disconnect(onContent);
      current.context.saveState.disconnect(onSave);
    }
    current = panel;
    if (!panel) {
      model.setNotebook(null);
      return;
    }
    await panel.context.ready;
    if (current !== panel || panel.isDisposed) {
      return;
    }
    panel.context.model.contentChanged.connect(onContent);
    panel.context.saveState.connect(onSave);
    model.setNotebook(notebookHandle(panel));
    panel.disposed.connect(() => {
      if (current === panel) {
        void follow(null);
      }
    });
  };
  tracker.currentChanged.connect((_, panel) => void follow(panel));
  void follow(tracker.currentWidget);
}

/** A finished `%%nb2prod` cell may have logged a run: reload the runs. */
function refreshRunsAfterTrackedCells(
  tracker: INotebookTracker,
  model: PanelModel
): void {
  NotebookActions.executed.connect((_, { notebook, cell }) => {
    if (tracker.currentWidget?.content !== notebook) {
      return;
    }
    if (TRACKING_CELL.test(cell.model.sharedModel.getSource())) {
      void model.refreshRuns();
    }
  });
}

function addCommands(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  model: PanelModel,
  panel: Nb2ProdPanel,
  trans: TranslationBundle
): void {
  const { commands, shell } = app;
  const hasNotebook = () => tracker.currentWidget !== null;

  commands.addCommand(CommandIDs.openPanel, {
    label: trans.__('Show the nb2prod Panel'),
    icon: nb2prodIcon,
    execute: () => shell.activateById(PANEL_ID)
  });

  commands.addCommand(CommandIDs.lint, {
    label: trans.__('Lint the Notebook for Production Blockers'),
    isEnabled: hasNotebook,
    execute: async () => {
      shell.activateById(PANEL_ID);
      await model.lint();
    }
  });

  commands.addCommand(CommandIDs.exportNotebook, {
    label: args =>
      args.verify ? trans.__('Export & Verify') : trans.__('Export'),
    caption: trans.__(
      'Export the tagged cells as an installable package (nb2prod export)'
    ),
    icon: args => (args.toolbar ? nb2prodIcon : undefined),
    isEnabled: hasNotebook,
    execute: async args => {
      const verify = !!args.verify;
      const notebook = model.notebook;
      shell.activateById(PANEL_ID);
      panel.expandExport();
      if (!notebook) {
        return;
      }
      await model.export({ verify }, notebook);
      // Only the notebook's own earlier export is offered for replacing; the server
      // refuses any other folder, and its message (shown in the section) says why.
      const form = model.formOf(notebook.path);
      const replaceable = form.replaceable;
      if (replaceable && form.problem) {
        const target = String(
          form.problem.details?.target ?? form.plannedTarget
        );
        const answer = await showDialog({
          title: trans.__('Replace the earlier export?'),
          body: trans.__(
            '%1. Export %2 again and replace the files of that export in %3?',
            form.problem.message,
            notebook.path,
            target
          ),
          buttons: [
            Dialog.cancelButton(),
            Dialog.warnButton({
              label: trans.__('Replace'),
              caption: trans.__('Replace the export in %1', target)
            })
          ]
        });
        if (answer.button.accept) {
          await model.export({ verify, overwrite: true }, notebook);
        }
      }
    }
  });

  const activeCell = (): Cell | null => tracker.activeCell;

  commands.addCommand(CommandIDs.setRole, {
    label: args => (args.role ? String(args.role) : trans.__('no role')),
    caption: args =>
      args.role
        ? trans.__('Give the cell the role %1 (one role per cell)', args.role)
        : trans.__('Remove the cell role'),
    isToggled: args => {
      const cell = activeCell();
      return !!cell && cellRole(cell.model) === (args.role ?? null);
    },
    isEnabled: () => activeCell() !== null,
    execute: args => {
      const cell = activeCell();
      if (!cell) {
        return;
      }
      const role = (args.role as Role | undefined) ?? null;
      if (role !== null && !ROLES.includes(role)) {
        return;
      }
      setCellRole(cell.model, role);
    }
  });

  const roleMenu = new Menu({ commands });
  roleMenu.addClass('jp-nb2prod-roleMenu');
  roleMenu.title.label = trans.__('Cell Role');
  for (const role of ROLES) {
    roleMenu.addItem({ command: CommandIDs.setRole, args: { role } });
  }
  roleMenu.addItem({ type: 'separator' });
  roleMenu.addItem({ command: CommandIDs.setRole, args: {} });

  commands.addCommand(CommandIDs.pickRole, {
    label: trans.__('Cell Role…'),
    caption: trans.__('Set the nb2prod role of this cell'),
    icon: tagIcon,
    isEnabled: () => activeCell() !== null,
    execute: () => {
      const cell = activeCell();
      if (!cell) {
        return;
      }
      const button =
        cell.node.querySelector('.jp-nb2prod-roleBadge') ??
        cell.node.querySelector(`[data-command="${CommandIDs.pickRole}"]`);
      const rect = (button ?? cell.node).getBoundingClientRect();
      roleMenu.open(rect.left, rect.bottom);
    }
  });
}

export default plugin;
