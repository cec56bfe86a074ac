/**
 * Guardrails and rollout in the panel (issue 15): the input contract an export would ship,
 * "Register as" registering a version from the Export section, the notebook's registered
 * versions with the champion alias, and the verdicts of promotion and drift runs in Runs.
 * The promotion and the drift check run as a user runs them: `!nb2prod …` in a notebook
 * next to the exported one, against the same MLflow store as the server.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import {
  codeCell,
  openExample,
  openNewNotebook,
  openPanel,
  SHOTS,
  widenPanel
} from './helpers';

// Tall enough for the README's picture to hold the runs, the contract and the versions.
test.use({ autoGoto: true, viewport: { width: 1400, height: 1500 } });

const LABELLED = `from sklearn.datasets import load_breast_cancer
data = load_breast_cancer(as_frame=True)
labelled = data.data.assign(malignant=data.target == 0)
labelled.to_csv("labelled.csv", index=False)
(data.data * 1.5).head(200).to_csv("shifted.csv", index=False)`;

test('contract, Register as, champion and rollout verdicts', async ({ page, tmpPath }) => {
  test.setTimeout(600000);
  const notebook = 'breast_cancer_classifier.ipynb';
  await openExample(page, tmpPath, notebook);
  await openPanel(page);
  const panel = page.locator('#nb2prod-panel');
  const section = panel.locator('.jp-nb2prod-export');
  await expect(section.locator('.jp-nb2prod-runtimeParams')).toContainText('threshold');
  const versions = section.locator('.jp-nb2prod-models .jp-nb2prod-summary');
  await expect(versions).toHaveText('0 registered versions');

  // Infer runs the notebook and shows the columns predict() will check; nothing is written.
  await section.locator('.jp-nb2prod-previewContract').click();
  const columns = section.locator('.jp-nb2prod-contractColumns');
  await expect(columns).toContainText('mean radius', { timeout: 180000 });
  await expect(columns.locator('tr')).toHaveCount(30);
  await expect(section.locator('.jp-nb2prod-contractSource')).toContainText(
    '569 rows of reference data'
  );
  await expect(section.locator('.jp-nb2prod-contractOrigin')).toContainText('would ship');
  expect(await page.contents.directoryExists(`${tmpPath}/build`)).toBeFalsy();

  // Register as: the export is verified, logged and registered as version 1 of "bc".
  await section.locator('.jp-nb2prod-registerName').fill('bc');
  await section.locator('.jp-nb2prod-exportButton').click();
  await expect(section.locator('.jp-nb2prod-registered')).toContainText(
    'bc version 1',
    { timeout: 400000 }
  );
  await expect(section.locator('.jp-nb2prod-scorecard')).toHaveClass(/jp-mod-ok/);
  await expect(versions).toHaveText('1 registered version');
  const version1 = section.locator('.jp-nb2prod-modelVersion[data-version="1"]');
  await expect(version1.locator('.jp-nb2prod-alias')).toHaveCount(0);
  await expect(section.locator('.jp-nb2prod-contractOrigin')).toContainText(
    'last export'
  );

  // Promote it and check a shifted batch for drift, from another notebook's kernel.
  await openNewNotebook(page, tmpPath, 'rollout.ipynb', [
    codeCell('data', LABELLED),
    codeCell('promote', '!nb2prod promote bc 1 --data labelled.csv --target malignant'),
    codeCell('drift', '!nb2prod drift models:/bc@champion --input shifted.csv --log')
  ]);
  await page.notebook.run();
  const outputs = page.locator('.jp-NotebookPanel:visible .jp-OutputArea-output');
  await expect(outputs.filter({ hasText: 'is now @champion' })).toHaveCount(1, {
    timeout: 180000
  });
  await expect(outputs.filter({ hasText: /DRIFT: \d+ of 30 columns/ })).toHaveCount(1, {
    timeout: 180000
  });

  // Back on the exported notebook: the alias, and both runs with their verdicts.
  await page.notebook.activate(notebook);
  await section.locator('.jp-nb2prod-models .jp-ToolbarButtonComponent').click();
  await expect(version1.locator('.jp-nb2prod-alias')).toHaveText('@champion');
  const runs = panel.locator('.jp-nb2prod-runs');
  await runs.locator('.jp-nb2prod-sectionBar .jp-ToolbarButtonComponent').click();
  const promotion = runs.locator('.jp-nb2prod-run', { hasText: 'promotion' });
  await expect(promotion.locator('.jp-nb2prod-verdict')).toHaveText('first champion');
  await expect(promotion.locator('.jp-nb2prod-verdict')).toHaveClass(/jp-mod-ok/);
  const drift = runs.locator('.jp-nb2prod-run', { hasText: 'drift check' });
  await expect(drift.locator('.jp-nb2prod-verdict')).toHaveText('drift');
  await expect(drift.locator('.jp-nb2prod-verdict')).toHaveClass(/jp-mod-alarm/);
  await expect(drift.locator('.jp-nb2prod-runModel')).toContainText('bc');
  // the dataset's figures; the 90 per-column ones stay in MLflow
  await expect(drift.locator('.jp-nb2prod-metrics')).toContainText('drift.columns_tested=30');
  await expect(drift.locator('.jp-nb2prod-metrics')).not.toContainText('mean radius');
  // The README's picture: the registered versions and the verdicts, side by side.
  await widenPanel(page, 260);
  await panel.locator('.lm-AccordionPanel-title', { hasText: /lint/i }).click(); // collapse
  await section.locator('.jp-nb2prod-models').scrollIntoViewIfNeeded();
  await panel.screenshot({ path: path.join(SHOTS, 'panel-rollout.png') });
});
