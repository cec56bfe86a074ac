/** The right side panel: three collapsible sections over one PanelModel. */
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, SidePanel, UseSignal } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { AccordionPanel } from '@lumino/widgets';
import * as React from 'react';

import { nb2prodIcon } from '../icons';
import { PanelModel } from '../model';
import { ExportSection } from './ExportSection';
import { LintSection } from './LintSection';
import { RunsSection } from './RunsSection';

export const PANEL_ID = 'nb2prod-panel';

function section(
  model: PanelModel,
  render: () => JSX.Element,
  className: string
): ReactWidget {
  const widget = ReactWidget.create(
    <UseSignal signal={model.changed}>{() => render()}</UseSignal>
  );
  widget.addClass(className);
  return widget;
}

export class Nb2ProdPanel extends SidePanel {
  constructor(options: {
    model: PanelModel;
    commands: CommandRegistry;
    translator: ITranslator;
    trans: TranslationBundle;
  }) {
    super({ translator: options.translator });
    const { model, commands, trans } = options;
    this._model = model;
    this._bundle = trans;
    this.id = PANEL_ID;
    this.addClass('jp-nb2prod-panel');
    this.title.icon = nb2prodIcon;
    this.title.caption = 'nb2prod';

    this._lint = section(
      model,
      () => <LintSection model={model} trans={trans} />,
      'jp-nb2prod-lintSection'
    );
    this._runs = section(
      model,
      () => <RunsSection model={model} trans={trans} />,
      'jp-nb2prod-runsSection'
    );
    this._export = section(
      model,
      () => <ExportSection model={model} trans={trans} commands={commands} />,
      'jp-nb2prod-exportSection'
    );
    this.addWidget(this._lint);
    this.addWidget(this._runs);
    this.addWidget(this._export);
    // Findings and the export form (its buttons and plan) need room; runs the least.
    if (this.content instanceof AccordionPanel) {
      this.content.setRelativeSizes([4, 2, 5]);
    }
    model.changed.connect(this._updateTitles, this);
    this._updateTitles();
  }

  /** Open the Export section (the toolbar button shows the export's progress there). */
  expandExport(): void {
    if (this.content instanceof AccordionPanel) {
      this.content.expand(2);
    }
  }

  private _updateTitles(): void {
    const trans = this._bundle;
    const model = this._model;
    const counts = model.counts;
    const total = counts.error + counts.warning + counts.info;
    this._lint.title.label = model.notebook
      ? trans.__('Lint (%1)', total)
      : trans.__('Lint');
    this._runs.title.label = model.notebook
      ? trans.__('Runs (%1)', model.runs.length)
      : trans.__('Runs');
    this._export.title.label = trans.__('Export');
    // The tab in the side bar: the number of findings, coloured by the worst severity.
    this.title.label = model.notebook && total ? String(total) : '';
    this.title.caption = model.notebook
      ? trans.__(
          'nb2prod: %1 errors, %2 warnings, %3 info',
          counts.error,
          counts.warning,
          counts.info
        )
      : 'nb2prod';
    this.title.className = counts.error
      ? 'jp-nb2prod-tab jp-mod-errors'
      : counts.warning
        ? 'jp-nb2prod-tab jp-mod-warnings'
        : 'jp-nb2prod-tab';
  }

  private _model: PanelModel;
  private _bundle: TranslationBundle;
  private _lint: ReactWidget;
  private _runs: ReactWidget;
  private _export: ReactWidget;
}
