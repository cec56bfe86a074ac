/**
 * The nb2prod panel in a real JupyterLab (Debian's Chromium): findings and jump to the
 * cell, a cell role from the cell toolbar saved as a tag, Export from the notebook
 * toolbar writing a package, a `%%nb2prod track` run showing up in the Runs section, and a
 * `%nb2prod lint` table whose cell links scroll to the cell.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

import {
  codeCell,
  openExample,
  openNewNotebook,
  openPanel,
  readNotebook,
  SHOTS,
  widenPanel
} from './helpers';

fs.mkdirSync(SHOTS, { recursive: true });

// Galata mocks the settings store; the Lab's own defaults otherwise.
test.use({ autoGoto: true });

test('the panel lists the findings of the notebook and jumps to their cell', async ({
  page
}) => {
  // In a folder named as in this repository: the README's picture shows no test's folder.
  const folder = 'example_notebooks';
  await openExample(page, folder, 'churn_exploration.ipynb');
  await openPanel(page);
  const panel = page.locator('#nb2prod-panel');

  const userPath = panel.locator(
    '.jp-nb2prod-cellGroup[data-cell="3"] .jp-nb2prod-finding[data-code="NB202"]'
  );
  await expect(userPath).toBeVisible();
  await expect(userPath).toContainText('/Users/maria/Downloads');
  // Severity icon and the rule's doc on hover.
  await expect(userPath.locator('.jp-nb2prod-severityIcon')).toBeVisible();
  await expect(userPath.locator('.jp-nb2prod-code')).toHaveAttribute(
    'title',
    /NB202 user-specific-path: .+/
  );
  // Counts in the section title and on the side-bar tab.
  await expect(panel.locator('.jp-nb2prod-summary').first()).toContainText(
    /\d+ errors/
  );
  const tab = page.locator('.jp-SideBar .lm-TabBar-tab[data-id="nb2prod-panel"]');
  await expect(tab.locator('.lm-TabBar-tabLabel')).toHaveText(/^\d+$/);

  await widenPanel(page, 140);
  // The README's picture: the notebook and the panel, not the test's folder in the browser.
  await page.sidebar.close('left');
  await page.screenshot({ path: path.join(SHOTS, 'panel-lint.png') });
  await panel.screenshot({ path: path.join(SHOTS, 'panel-lint-only.png') });

  // Click the finding of cell 9 (a password in a URL): that cell becomes the active one.
  const secret = panel.locator(
    '.jp-nb2prod-cellGroup[data-cell="9"] .jp-nb2prod-finding'
  ).first();
  await secret.click();
  const active = page.locator('.jp-NotebookPanel:visible .jp-Cell.jp-mod-active');
  await expect(active).toContainText('WAREHOUSE_URL');
  await expect(active).toBeInViewport();

  // Typing updates the findings without saving (debounced): a new absolute path.
  await userPath.click();
  await page.notebook.setCell(4, 'code', 'open("/etc/churn/secrets.txt").read()');
  await expect(
    panel.locator('.jp-nb2prod-cellGroup[data-cell="5"] .jp-nb2prod-finding')
  ).toContainText(['/etc/churn/secrets.txt']);
  await page.contents.deleteDirectory(folder);
});

test('Fix applies the safe fix to the file and reloads the notebook', async ({
  page,
  tmpPath
}) => {
  const notebook = await openExample(page, tmpPath, 'churn_exploration.ipynb');
  await openPanel(page);
  const panel = page.locator('#nb2prod-panel');
  // Cell 12 is saved with the error of a failed run (NB106): its fix removes the output.
  const savedError = panel.locator('.jp-nb2prod-finding[data-code="NB106"]');
  await expect(savedError).toBeVisible();
  expect((await page.notebook.getCellTextOutput(11))?.join('\n')).toContain(
    'could not convert string to float'
  );
  await savedError.locator('.jp-nb2prod-fix').click();
  await expect(savedError).toHaveCount(0);
  const saved = await readNotebook(page, notebook);
  expect(saved.cells[11].outputs).toHaveLength(0);
  // The notebook shows what the file now holds: the cell has no output left.
  await expect
    .poll(async () => (await page.notebook.getCellTextOutput(11)) ?? [])
    .toHaveLength(0);
});

test('a cell role set from the cell toolbar is saved as the cell tag', async ({
  page,
  tmpPath
}) => {
  const notebook = await openExample(page, tmpPath, 'churn_exploration.ipynb');
  await page.notebook.selectCells(4); // `df.describe()`: short enough for the cell toolbar
  const cell = page.locator('.jp-NotebookPanel:visible .jp-Cell').nth(4);

  const pickRole = cell.locator('[data-command="nb2prod:pick-role"]');
  await pickRole.click();
  await page.locator('.jp-nb2prod-roleMenu .lm-Menu-item', { hasText: 'skip' }).click();
  await expect(cell).toHaveAttribute('data-nb2prod-role', 'skip');

  // One role at a time: another role replaces it.
  await pickRole.click();
  await page
    .locator('.jp-nb2prod-roleMenu .lm-Menu-item', { hasText: 'metrics' })
    .click();
  await expect(cell).toHaveAttribute('data-nb2prod-role', 'metrics');
  await page.screenshot({ path: path.join(SHOTS, 'cell-role.png') });

  await page.notebook.save();
  const saved = await readNotebook(page, notebook);
  expect(saved.cells[4].metadata.tags).toEqual(['nb2prod:metrics']);
});

test('Export in the notebook toolbar writes the package', async ({ page, tmpPath }) => {
  await openExample(page, tmpPath, 'shipping_quotes.ipynb');
  await openPanel(page);
  const panel = page.locator('#nb2prod-panel');

  // The plan of a dry run: the runtime parameters and the roles found.
  await expect(panel.locator('.jp-nb2prod-runtimeParams')).toContainText('express');
  await expect(panel.locator('.jp-nb2prod-roles')).toContainText('predict');

  await page
    .locator('.jp-NotebookPanel-toolbar [data-command="nb2prod:export"]')
    .click();
  const files = panel.locator('.jp-nb2prod-file');
  await expect(files.first()).toBeVisible({ timeout: 120000 });
  await expect(panel.locator('.jp-nb2prod-writtenTitle')).toContainText(
    `${tmpPath}/build/shipping_quotes`
  );
  await files.last().scrollIntoViewIfNeeded();
  await panel.screenshot({ path: path.join(SHOTS, 'panel-export.png') });

  const target = `${tmpPath}/build/shipping_quotes`;
  expect(await page.contents.fileExists(`${target}/pyproject.toml`)).toBeTruthy();
  const written = await files.allTextContents();
  expect(written).toContain('pyproject.toml');
  for (const file of written) {
    expect(await page.contents.fileExists(`${target}/${file}`)).toBeTruthy();
  }
});

test('a %%nb2prod track cell shows its run in the panel', async ({ page, tmpPath }) => {
  await openNewNotebook(page, tmpPath, 'tracked.ipynb', [
    codeCell('load', '%load_ext nb2prod'),
    codeCell('train', '%%nb2prod track --log accuracy\naccuracy = 0.93')
  ]);
  await openPanel(page);
  const panel = page.locator('#nb2prod-panel');
  await expect(panel.locator('.jp-nb2prod-runs .jp-nb2prod-summary')).toHaveText(
    '0 runs'
  );

  await page.notebook.run();
  const run = panel.locator('.jp-nb2prod-run').first();
  await expect(run).toBeVisible({ timeout: 60000 });
  await expect(run.locator('.jp-nb2prod-status')).toHaveText('FINISHED');
  await expect(run.locator('.jp-nb2prod-metrics')).toContainText('accuracy=0.9300');
  await panel.screenshot({ path: path.join(SHOTS, 'panel-runs.png') });
});

test('a cell named by %nb2prod lint is one click away (its link scrolls to it)', async ({ page, tmpPath }) => {
  const filler = Array.from({ length: 40 }, (_, i) => codeCell(`step-${i}`, `x${i} = ${i}`));
  await openNewNotebook(page, tmpPath, 'linted.ipynb', [
    codeCell('lint', '%load_ext nb2prod\n%nb2prod lint --select NB202'),
    ...filler,
    codeCell('load-data', 'rows = open("/Users/maria/Downloads/churn.csv").read()')
  ]);

  await page.notebook.runCell(0);
  const link = page.locator('.jp-OutputArea-output a', { hasText: '(load-data)' });
  await expect(link).toBeVisible({ timeout: 60000 });
  const target = page.locator(
    `.jp-NotebookPanel:visible .jp-Cell[data-windowed-list-index="${filler.length + 1}"]`
  );
  await expect(target).toContainText('rows = open(');
  await expect(target).not.toBeInViewport();
  await link.click();
  await expect(target).toBeInViewport();
});
