/** The Export section: what an export would do, and doing it (with verification on request). */
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IExistingExport, IExportPlan, IScorecard } from '../api';
import { parameterText } from '../exportForm';
import { ContractView } from './ContractView';
import { ISectionProps } from './LintSection';
import { ModelsView } from './ModelsView';
import { ProblemView } from './parts';

export interface IExportSectionProps extends ISectionProps {
  commands: CommandRegistry;
}

/** The command ids the section runs (defined in index.ts). */
export const EXPORT_COMMAND = 'nb2prod:export';
const OPEN_COMMAND = 'docmanager:open';

function PlanView(props: ISectionProps & { plan: IExportPlan }): JSX.Element {
  const { plan, trans } = props;
  const runtime = Object.entries(plan.runtime_parameters);
  const roles = Object.entries(plan.roles).filter(([, cells]) => cells.length);
  return (
    <div className="jp-nb2prod-plan">
      <div className="jp-nb2prod-planRow">
        <span className="jp-nb2prod-planLabel">{trans.__('predict')}</span>
        <code>
          predict(
          {[...plan.inputs, ...runtime.map(([name]) => `${name}=…`)].join(', ')}
          ){' → '}
          {plan.output}
        </code>
      </div>
      <div className="jp-nb2prod-planRow">
        <span className="jp-nb2prod-planLabel">
          {trans.__('runtime parameters')}
        </span>
        {runtime.length ? (
          <ul className="jp-nb2prod-runtimeParams">
            {runtime.map(([name, value]) => (
              <li key={name}>
                <code>
                  {name} = {parameterText(value)}
                </code>
              </li>
            ))}
          </ul>
        ) : (
          <span>{trans.__('none')}</span>
        )}
      </div>
      {plan.build_parameters.length > 0 && (
        <div className="jp-nb2prod-planRow">
          <span className="jp-nb2prod-planLabel">
            {trans.__('build parameters')}
          </span>
          <code>{plan.build_parameters.join(', ')}</code>
        </div>
      )}
      <div className="jp-nb2prod-planRow">
        <span className="jp-nb2prod-planLabel">{trans.__('roles')}</span>
        <ul className="jp-nb2prod-roles">
          {roles.map(([role, cells]) => (
            <li key={role}>
              <span className="jp-nb2prod-roleName">{role}</span>{' '}
              {trans._n('cell %2', 'cells %2', cells.length, cells.join(', '))}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

function ScorecardView(
  props: ISectionProps & { scorecard: IScorecard }
): JSX.Element {
  const { scorecard, trans } = props;
  return (
    <div
      className={`jp-nb2prod-scorecard ${scorecard.ok ? 'jp-mod-ok' : 'jp-mod-failed'}`}
    >
      <div className="jp-nb2prod-scoreTitle">
        {scorecard.ok
          ? trans.__('Verified: the package gives the notebook’s answers')
          : trans.__('Verification failed')}
      </div>
      <ul>
        {scorecard.checks.map((check, index) => (
          <li
            key={`${check.name}-${index}`}
            className={check.ok ? 'jp-mod-ok' : 'jp-mod-failed'}
          >
            <span className="jp-nb2prod-check">{check.ok ? '✓' : '✗'}</span>{' '}
            <span className="jp-nb2prod-checkName">{check.name}</span>
            {check.detail && (
              <span className="jp-nb2prod-checkDetail"> — {check.detail}</span>
            )}
            {check.diff && check.diff.length > 0 && (
              <pre className="jp-nb2prod-diff">{check.diff.join('\n')}</pre>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What the output folder holds already, and what Export will do about it. */
function ExistingView(
  props: ISectionProps & { existing: IExistingExport; target: string }
): JSX.Element {
  const { existing, target, trans } = props;
  const text = existing.own
    ? trans.__(
        '%1 holds the earlier export of this notebook: Export asks before replacing it.',
        target
      )
    : existing.notebook
      ? trans.__(
          '%1 holds the export of %2: Export will not replace it; choose another package name or output folder.',
          target,
          existing.notebook
        )
      : trans.__(
          '%1 holds other files: Export will not write there; choose another package name or output folder.',
          target
        );
  return (
    <div
      className={`jp-nb2prod-existing ${existing.own ? 'jp-mod-own' : 'jp-mod-other'}`}
    >
      {text}
    </div>
  );
}

export function ExportSection(props: IExportSectionProps): JSX.Element {
  const { model, trans, commands } = props;
  if (!model.notebook) {
    return (
      <div className="jp-nb2prod-empty">
        {trans.__('Open a notebook to export it as a package.')}
      </div>
    );
  }
  const running = model.exportState === 'running';
  const refused =
    model.planProblem !== null && model.planProblem.status === 422;
  const run = (verify: boolean) =>
    void commands.execute(EXPORT_COMMAND, { verify });
  return (
    <div className="jp-nb2prod-section jp-nb2prod-export">
      <label className="jp-nb2prod-field">
        <span>{trans.__('Package name')}</span>
        <input
          className="jp-mod-styled jp-nb2prod-exportName"
          value={model.exportName}
          placeholder={model.plannedName}
          disabled={running}
          onChange={event => model.setExportName(event.target.value)}
          onBlur={() => void model.planExport()}
        />
      </label>
      <label className="jp-nb2prod-field">
        <span>{trans.__('Output folder')}</span>
        <input
          className="jp-mod-styled jp-nb2prod-exportTarget"
          value={model.exportTarget}
          placeholder={model.plannedTarget}
          disabled={running}
          onChange={event => model.setExportTarget(event.target.value)}
          onBlur={() => void model.planExport()}
        />
      </label>
      <label className="jp-nb2prod-field">
        <span>{trans.__('Register as')}</span>
        <input
          className="jp-mod-styled jp-nb2prod-registerName"
          value={model.registerName}
          placeholder={trans.__('model name (optional)')}
          title={trans.__(
            'Verify the package, log it to MLflow and register it as a new version of this model'
          )}
          disabled={running}
          onChange={event => model.setRegisterName(event.target.value)}
        />
      </label>
      <div className="jp-nb2prod-buttons">
        <button
          className="jp-mod-styled jp-mod-accept jp-nb2prod-exportButton"
          disabled={running || refused}
          onClick={() => run(false)}
        >
          {trans.__('Export')}
        </button>
        <button
          className="jp-mod-styled jp-nb2prod-verifyButton"
          disabled={running || refused}
          onClick={() => run(true)}
        >
          {trans.__('Export & Verify')}
        </button>
      </div>
      {model.existing && !model.exportResult && (
        <ExistingView
          existing={model.existing}
          target={model.plannedTarget}
          model={model}
          trans={trans}
        />
      )}
      <ProblemView problem={model.planProblem} className="jp-nb2prod-refusal" />
      {running && (
        <div className="jp-nb2prod-progress">
          <div className="jp-nb2prod-progressBar" />
          <span>
            {model.registerName
              ? trans.__(
                  'Running the notebook, writing the package, verifying it in a fresh environment and registering it as %1; this can take minutes…',
                  model.registerName
                )
              : model.exportVerifying
                ? trans.__(
                    'Running the notebook, writing the package and verifying it in a fresh environment; this can take minutes…'
                  )
                : trans.__('Running the notebook and writing the package…')}
          </span>
        </div>
      )}
      <ProblemView
        problem={model.exportProblem}
        className="jp-nb2prod-exportProblem"
      />
      {model.exportResult?.scorecard && (
        <ScorecardView
          scorecard={model.exportResult.scorecard}
          model={model}
          trans={trans}
        />
      )}
      {model.exportResult?.registered && (
        <div className="jp-nb2prod-registered">
          {trans.__(
            'Registered as %1 version %2 (%3)',
            model.exportResult.registered.name,
            model.exportResult.registered.version,
            model.exportResult.registered.uri
          )}
        </div>
      )}
      {model.exportResult && (
        <div className="jp-nb2prod-written">
          <div className="jp-nb2prod-writtenTitle">
            {trans.__('Written to %1', model.exportResult.target)}
          </div>
          <ul className="jp-nb2prod-files">
            {model.exportResult.files.map(file => (
              <li
                key={file}
                className="jp-nb2prod-file"
                title={trans.__('Open %1', file)}
                onClick={() =>
                  void commands.execute(OPEN_COMMAND, { path: file })
                }
              >
                {file.startsWith(model.exportResult!.target + '/')
                  ? file.slice(model.exportResult!.target.length + 1)
                  : file}
              </li>
            ))}
          </ul>
        </div>
      )}
      {model.plan && <PlanView plan={model.plan} model={model} trans={trans} />}
      <ContractView model={model} trans={trans} />
      <ModelsView model={model} trans={trans} />
    </div>
  );
}
