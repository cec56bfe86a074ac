/** Pieces every section of the panel shows the same way. */
import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IProblem } from '../model';

/** A section's summary line with its refresh button. */
export function SectionBar(props: {
  summary: string;
  refreshTooltip: string;
  onRefresh: () => void;
}): JSX.Element {
  return (
    <div className="jp-nb2prod-sectionBar">
      <span className="jp-nb2prod-summary">{props.summary}</span>
      <ToolbarButtonComponent
        icon={refreshIcon}
        tooltip={props.refreshTooltip}
        onClick={props.onRefresh}
      />
    </div>
  );
}

/** A refusal or failure as the server worded it, with its hint; nothing when there is none. */
export function ProblemView(props: {
  problem: IProblem | null;
  className?: string;
}): JSX.Element | null {
  const { problem, className } = props;
  if (!problem) {
    return null;
  }
  return (
    <div
      className={
        className ? `jp-nb2prod-problem ${className}` : 'jp-nb2prod-problem'
      }
    >
      {problem.message}
      {problem.hint && <div className="jp-nb2prod-hint">{problem.hint}</div>}
    </div>
  );
}

/** "Open in MLflow" for a run's or a model version's page; nothing without a UI URL. */
export function OpenInMlflow(props: {
  url: string | null | undefined;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { url, trans } = props;
  if (!url) {
    return null;
  }
  return (
    <button
      className="jp-mod-styled jp-nb2prod-openMlflow"
      onClick={() => window.open(url, '_blank', 'noopener')}
    >
      {trans.__('Open in MLflow')}
    </button>
  );
}
