/** The Export section's registry part: the notebook's registered versions and their aliases. */
import * as React from 'react';

import { IModelVersion, IRegisteredModel } from '../api';
import { ISectionProps } from './LintSection';
import { OpenInMlflow, ProblemView, SectionBar } from './parts';

function VersionItem(
  props: ISectionProps & { name: string; version: IModelVersion }
): JSX.Element {
  const { name, version, trans } = props;
  return (
    <li className="jp-nb2prod-modelVersion" data-version={version.version}>
      <span className="jp-nb2prod-versionNumber">
        {trans.__('version %1', version.version)}
      </span>
      {version.aliases.map(alias => (
        <span
          key={alias}
          className={`jp-nb2prod-alias jp-nb2prod-alias-${alias}`}
          title={`models:/${name}@${alias}`}
        >
          @{alias}
        </span>
      ))}
      <span className="jp-nb2prod-versionTime">
        {new Date(version.created).toLocaleString()}
      </span>
      {version.commit && (
        <code className="jp-nb2prod-versionCommit" title={version.commit}>
          {version.commit.slice(0, 8)}
        </code>
      )}
      <OpenInMlflow url={version.ui_url} trans={trans} />
    </li>
  );
}

function ModelItem(
  props: ISectionProps & { registered: IRegisteredModel }
): JSX.Element {
  const { registered, model, trans } = props;
  return (
    <li className="jp-nb2prod-registeredModel" data-model={registered.name}>
      <div className="jp-nb2prod-modelName">{registered.name}</div>
      <ul className="jp-nb2prod-versionList">
        {registered.versions.map(version => (
          <VersionItem
            key={version.version}
            name={registered.name}
            version={version}
            model={model}
            trans={trans}
          />
        ))}
      </ul>
    </li>
  );
}

export function ModelsView(props: ISectionProps): JSX.Element {
  const { model, trans } = props;
  const registry = model.registry;
  const count = registry.models.reduce((n, m) => n + m.versions.length, 0);
  return (
    <div className="jp-nb2prod-models">
      <SectionBar
        summary={
          registry.loading && !registry.models.length
            ? trans.__('Loading registered versions…')
            : trans._n('%1 registered version', '%1 registered versions', count)
        }
        refreshTooltip={trans.__('Refresh registered versions')}
        onRefresh={() => void model.refreshModels()}
      />
      <ProblemView problem={registry.problem} />
      {registry.unavailable && (
        <div className="jp-nb2prod-empty">{registry.unavailable}</div>
      )}
      {!count &&
        !registry.unavailable &&
        !registry.problem &&
        !registry.loading && (
          <div className="jp-nb2prod-empty">
            {trans.__(
              'No registered versions yet: fill in "Register as" and export.'
            )}
          </div>
        )}
      <ul className="jp-nb2prod-modelList">
        {registry.models.map(registered => (
          <ModelItem
            key={registered.name}
            registered={registered}
            model={model}
            trans={trans}
          />
        ))}
      </ul>
    </div>
  );
}
