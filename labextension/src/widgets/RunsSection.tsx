/** The Runs section: the notebook's MLflow runs, newest first. */
import * as React from 'react';

import { IRun } from '../api';
import { ISectionProps } from './LintSection';
import { OpenInMlflow, ProblemView, SectionBar } from './parts';

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

function KeyValues(props: {
  title: string;
  values: Record<string, string | number>;
  className: string;
}): JSX.Element | null {
  const entries = Object.entries(props.values);
  if (!entries.length) {
    return null;
  }
  return (
    <div className={props.className}>
      <span className="jp-nb2prod-kvTitle">{props.title}</span>
      {entries.map(([key, value]) => (
        <span key={key} className="jp-nb2prod-kv">
          <span className="jp-nb2prod-kvKey">{key}</span>=
          <span className="jp-nb2prod-kvValue">
            {typeof value === 'number' ? formatValue(value) : value}
          </span>
        </span>
      ))}
    </div>
  );
}

/** A drift check's dataset figures: its per-column scores (three per column) are in MLflow. */
const DRIFT_SUMMARY = new Set([
  'drift.share_drifted',
  'drift.columns_drifted',
  'drift.columns_tested',
  'drift.batch_rows'
]);

function shownMetrics(run: IRun): Record<string, number> {
  if (run.kind !== 'drift') {
    return run.metrics;
  }
  return Object.fromEntries(
    Object.entries(run.metrics).filter(([key]) => DRIFT_SUMMARY.has(key))
  );
}

/** Verdicts that call for a look (the others say all is well, or nothing changed). */
const ALARMING = new Set(['drift', 'refused', 'differ']);

/** A drift check's, promotion's or shadow comparison's verdict, with what it was about. */
function VerdictBadge(
  props: ISectionProps & { run: IRun }
): JSX.Element | null {
  const { run, trans } = props;
  if (!run.verdict) {
    return null;
  }
  const what: Record<string, string> = {
    drift: trans.__('drift check'),
    promote: trans.__('promotion'),
    shadow: trans.__('shadow comparison')
  };
  return (
    <div className="jp-nb2prod-verdictRow">
      <span className="jp-nb2prod-runKind">
        {what[run.kind ?? ''] ?? run.kind}
      </span>
      {run.model && <span className="jp-nb2prod-runModel">{run.model}</span>}
      <span
        className={`jp-nb2prod-verdict ${ALARMING.has(run.verdict) ? 'jp-mod-alarm' : 'jp-mod-ok'}`}
      >
        {run.verdict}
      </span>
    </div>
  );
}

function RunItem(props: ISectionProps & { run: IRun }): JSX.Element {
  const { run, trans } = props;
  const started = new Date(run.start_time).toLocaleString();
  return (
    <li className="jp-nb2prod-run" data-run-id={run.run_id}>
      <div className="jp-nb2prod-runHeader">
        <span
          className={`jp-nb2prod-status jp-nb2prod-status-${run.status.toLowerCase()}`}
        >
          {run.status}
        </span>
        <span className="jp-nb2prod-runName" title={run.run_id}>
          {run.name || run.run_id.slice(0, 8)}
        </span>
        <span className="jp-nb2prod-runTime">{started}</span>
      </div>
      <VerdictBadge run={run} model={props.model} trans={trans} />
      <KeyValues
        title={trans.__('params')}
        values={run.params}
        className="jp-nb2prod-params"
      />
      <KeyValues
        title={trans.__('metrics')}
        values={shownMetrics(run)}
        className="jp-nb2prod-metrics"
      />
      <OpenInMlflow url={run.ui_url} trans={trans} />
    </li>
  );
}

export function RunsSection(props: ISectionProps): JSX.Element {
  const { model, trans } = props;
  if (!model.notebook) {
    return (
      <div className="jp-nb2prod-empty">
        {trans.__('Open a notebook to see its runs.')}
      </div>
    );
  }
  return (
    <div className="jp-nb2prod-section jp-nb2prod-runs">
      <SectionBar
        summary={
          model.loadingRuns && !model.runs.length
            ? trans.__('Loading runs…')
            : trans._n('%1 run', '%1 runs', model.runs.length)
        }
        refreshTooltip={trans.__('Refresh runs')}
        onRefresh={() => void model.refreshRuns()}
      />
      <ProblemView problem={model.runsProblem} />
      {!model.runs.length && !model.runsProblem && !model.loadingRuns && (
        <div className="jp-nb2prod-empty">
          {/* The commands are arguments: in a message, `%%` would print as `%`. */}
          {trans.__(
            'No runs yet: track a cell with %1 (after %2).',
            '%%nb2prod track',
            '%load_ext nb2prod'
          )}
        </div>
      )}
      <ul className="jp-nb2prod-runList">
        {model.runs.map(run => (
          <RunItem key={run.run_id} run={run} model={model} trans={trans} />
        ))}
      </ul>
    </div>
  );
}
