/**
 * Cells in the panel (issue 12, items 10, 11, 12): Fix applies one finding's fix only;
 * roles written as `#| nb2prod: ROLE` or `%%nb2prod ROLE` show as badges and in the role
 * menu; the Runs hint is a command that works when typed.
 */
import { expect, test } from '@jupyterlab/galata';

import { codeCell, openExample, openNewNotebook, openPanel, readNotebook } from './helpers';

test.use({ autoGoto: true });

const ERROR_OUTPUT = {
  output_type: 'error',
  ename: 'ValueError',
  evalue: 'boom',
  traceback: ['ValueError: boom']
};

test('Fix applies the fix of that finding only', async ({ page, tmpPath }) => {
  // Two saved error outputs (NB106, each with a safe fix) and an install (NB405, none).
  const notebook = await openNewNotebook(page, tmpPath, 'fixes.ipynb', [
    codeCell('fails-a', 'raise ValueError("a")', [ERROR_OUTPUT]),
    codeCell('installs', '!pip install requests'),
    codeCell('fails-b', 'raise ValueError("b")', [ERROR_OUTPUT])
  ]);
  await openPanel(page);
  const panel = page.locator('#nb2prod-panel');
  const first = panel.locator(
    '.jp-nb2prod-cellGroup[data-cell="1"] .jp-nb2prod-finding[data-code="NB106"]'
  );
  const second = panel.locator(
    '.jp-nb2prod-cellGroup[data-cell="3"] .jp-nb2prod-finding[data-code="NB106"]'
  );
  const install = panel.locator('.jp-nb2prod-finding[data-code="NB405"]');
  await expect(first).toBeVisible();
  await expect(second).toBeVisible();
  await expect(install).toBeVisible();
  await expect(install.locator('.jp-nb2prod-fix')).toHaveCount(0);

  await first.locator('.jp-nb2prod-fix').click();
  await expect(first).toHaveCount(0);
  const saved = await readNotebook(page, notebook);
  expect(saved.cells[0].outputs).toHaveLength(0);
  expect(saved.cells[1].source).toBe('!pip install requests');
  expect(saved.cells[2].outputs).toHaveLength(1);
  await expect(second).toBeVisible();
  await expect(install).toBeVisible();
});

test('roles written in the cell show as badges and in the role menu', async ({
  page,
  tmpPath
}) => {
  const notebook = await openNewNotebook(page, tmpPath, 'marked.ipynb', [
    codeCell('loads', '%%nb2prod load\nmodel = 1'),
    codeCell('skips', '#| nb2prod: skip\ny = 2'),
    codeCell('plain', 'z = 3')
  ]);
  const cells = page.locator('.jp-NotebookPanel:visible .jp-Cell');
  await expect(cells.nth(0)).toHaveAttribute('data-nb2prod-role', 'load');
  await expect(cells.nth(1)).toHaveAttribute('data-nb2prod-role', 'skip');
  await expect(cells.nth(2)).not.toHaveAttribute('data-nb2prod-role', /.+/);

  // The role menu knows the cell's role and replaces the marker with the role chosen.
  await page.notebook.selectCells(1);
  await cells.nth(1).locator('.jp-nb2prod-roleBadge').click();
  const menu = page.locator('.jp-nb2prod-roleMenu');
  await expect(menu.locator('.lm-Menu-item.lm-mod-toggled')).toHaveText(/skip/);
  await menu.locator('.lm-Menu-item', { hasText: 'example' }).click();
  await expect(cells.nth(1)).toHaveAttribute('data-nb2prod-role', 'example');
  await page.notebook.save();
  const saved = await readNotebook(page, notebook);
  expect(saved.cells[1].source).toBe('#| nb2prod: example\ny = 2');
  expect(saved.cells[1].metadata.tags ?? []).toEqual([]);

  // Typing a marker shows its badge too.
  await page.notebook.setCell(2, 'code', '#| nb2prod: metrics\nz = 3');
  await expect(cells.nth(2)).toHaveAttribute('data-nb2prod-role', 'metrics');
});

test('an example notebook shows its load cell; the Runs hint can be typed', async ({
  page,
  tmpPath
}) => {
  await openExample(page, tmpPath, 'breast_cancer_classifier.ipynb');
  const load = page
    .locator('.jp-NotebookPanel:visible .jp-Cell')
    .filter({ hasText: '#| nb2prod: load' });
  await expect(load).toHaveAttribute('data-nb2prod-role', 'load');
  // Every cell with a role has a visible role button (the badge).
  await expect(load.locator('.jp-nb2prod-roleBadge')).toBeVisible();

  await openPanel(page);
  const runs = page.locator('#nb2prod-panel .jp-nb2prod-runs');
  await expect(runs.locator('.jp-nb2prod-empty')).toContainText('%%nb2prod track');
});
