/** The input contract in the Export section: what predict() will accept, column by column. */
import * as React from 'react';

import { IInputContract } from '../api';
import { columnRule, inputSummary } from '../contract';
import { ISectionProps } from './LintSection';
import { ProblemView } from './parts';

function InputView(
  props: ISectionProps & { name: string; input: IInputContract }
): JSX.Element {
  const { name, input, trans } = props;
  const rows = input.rows_seen ?? 0;
  return (
    <div className="jp-nb2prod-contractInput" data-input={name}>
      <div className="jp-nb2prod-contractInputTitle">
        <code>{name}</code>: {inputSummary(input)}
      </div>
      {input.columns && input.columns.length > 0 && (
        <>
          <table className="jp-nb2prod-contractColumns">
            <tbody>
              {input.columns.map((column, index) => (
                <tr key={`${column.name}-${index}`}>
                  <td className="jp-nb2prod-contractColumn">{column.name}</td>
                  <td className="jp-nb2prod-contractType">{column.type}</td>
                  <td className="jp-nb2prod-contractRule">
                    {columnRule(column)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="jp-nb2prod-contractSource">
            {input.source === 'reference'
              ? trans.__(
                  'Ranges and categories from %1 rows of reference data.',
                  rows
                )
              : trans.__(
                  'Ranges and categories from the %1-row example input: a reference cell would give the training data’s.',
                  rows
                )}
          </div>
        </>
      )}
    </div>
  );
}

export function ContractView(props: ISectionProps): JSX.Element {
  const { model, trans } = props;
  const form = model.exportForm;
  if (!form) {
    return <></>;
  }
  const busy = form.previewing || form.state === 'running';
  const inputs = Object.entries(form.contract?.inputs ?? {});
  return (
    <div className="jp-nb2prod-contract">
      <div className="jp-nb2prod-planRow">
        <span className="jp-nb2prod-planLabel">
          {trans.__('input contract')}
        </span>
        <button
          className="jp-mod-styled jp-nb2prod-previewContract"
          disabled={busy}
          title={trans.__(
            'Run the notebook to see what predict() will check; nothing is written'
          )}
          onClick={() => void model.previewContract()}
        >
          {form.previewing
            ? trans.__('Running the notebook…')
            : form.contract
              ? trans.__('Infer again')
              : trans.__('Infer')}
        </button>
      </div>
      <ProblemView
        problem={form.contractProblem}
        className="jp-nb2prod-contractProblem"
      />
      {form.contract && (
        <div className="jp-nb2prod-contractOrigin">
          {form.contractStale
            ? trans.__(
                'The notebook was saved since: this contract may be out of date.'
              )
            : form.contractOrigin === 'export'
              ? trans.__('As the last export shipped it.')
              : trans.__('As an export would ship it now.')}
        </div>
      )}
      {form.contract && !inputs.length && (
        <div className="jp-nb2prod-empty">
          {trans.__('predict() takes no inputs to check.')}
        </div>
      )}
      {inputs.map(([name, input]) => (
        <InputView
          key={name}
          name={name}
          input={input}
          model={model}
          trans={trans}
        />
      ))}
    </div>
  );
}
