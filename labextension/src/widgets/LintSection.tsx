/** The Lint section: the current notebook's findings, grouped by cell. */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IFinding } from '../api';
import { severityIcons } from '../icons';
import { FindingCounts, IFindingGroup, PanelModel } from '../model';
import { ProblemView, SectionBar } from './parts';

export interface ISectionProps {
  model: PanelModel;
  trans: TranslationBundle;
}

/** "3 errors, 1 warning, 2 info", or "No problems". */
export function countsText(
  counts: FindingCounts,
  trans: TranslationBundle
): string {
  const parts: string[] = [];
  if (counts.error) {
    parts.push(trans._n('%1 error', '%1 errors', counts.error));
  }
  if (counts.warning) {
    parts.push(trans._n('%1 warning', '%1 warnings', counts.warning));
  }
  if (counts.info) {
    parts.push(trans.__('%1 info', counts.info));
  }
  return parts.length ? parts.join(', ') : trans.__('No problems');
}

function FindingItem(props: {
  finding: IFinding;
  model: PanelModel;
  trans: TranslationBundle;
  onFix: (finding: IFinding) => void;
}): JSX.Element {
  const { finding, model, trans } = props;
  const Icon = severityIcons[finding.severity];
  const where =
    finding.line !== null
      ? trans.__('line %1, column %2', finding.line, finding.column ?? 1)
      : '';
  return (
    <li
      className={`jp-nb2prod-finding jp-nb2prod-severity-${finding.severity}`}
      data-code={finding.code}
      data-cell={finding.cell ?? ''}
      onClick={() => model.jumpTo(finding)}
      title={where}
    >
      <Icon.react
        className="jp-nb2prod-severityIcon"
        tag="span"
        title={finding.severity}
      />
      <span
        className="jp-nb2prod-code"
        title={`${finding.code} ${finding.name}: ${finding.doc ?? ''}`}
      >
        {finding.code}
      </span>
      <span className="jp-nb2prod-message">{finding.message}</span>
      {finding.fix && (
        <button
          className="jp-mod-styled jp-mod-accept jp-nb2prod-fix"
          title={trans.__(
            'Save, apply this fix to the file (%1), and reload',
            finding.fix
          )}
          onClick={event => {
            event.stopPropagation();
            props.onFix(finding);
          }}
        >
          {trans.__('Fix')}
        </button>
      )}
    </li>
  );
}

function Group(props: {
  group: IFindingGroup;
  model: PanelModel;
  trans: TranslationBundle;
  onFix: (finding: IFinding) => void;
}): JSX.Element {
  const { group, trans } = props;
  return (
    <div className="jp-nb2prod-cellGroup" data-cell={group.cell ?? ''}>
      <div className="jp-nb2prod-cellHeader">
        {group.cell === null
          ? trans.__('Notebook')
          : trans.__('Cell %1', group.cell)}
      </div>
      <ul className="jp-nb2prod-findings">
        {group.findings.map((finding, index) => (
          <FindingItem
            key={`${finding.code}-${finding.line}-${finding.column}-${index}`}
            finding={finding}
            model={props.model}
            trans={trans}
            onFix={props.onFix}
          />
        ))}
      </ul>
    </div>
  );
}

export function LintSection(props: ISectionProps): JSX.Element {
  const { model, trans } = props;
  if (!model.notebook) {
    return (
      <div className="jp-nb2prod-empty">
        {trans.__('Open a notebook to see its production blockers.')}
      </div>
    );
  }
  const onFix = (finding: IFinding) => {
    void model.fix(finding);
  };
  return (
    <div className="jp-nb2prod-section jp-nb2prod-lint">
      <SectionBar
        summary={
          model.linting && !model.findings.length
            ? trans.__('Linting…')
            : countsText(model.counts, trans)
        }
        refreshTooltip={trans.__('Lint again')}
        onRefresh={() => void model.lint()}
      />
      <ProblemView problem={model.lintProblem} />
      {model.groups.map(group => (
        <Group
          key={group.cell ?? 'notebook'}
          group={group}
          model={model}
          trans={trans}
          onFix={onFix}
        />
      ))}
    </div>
  );
}
