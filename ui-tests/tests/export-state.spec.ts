/**
 * The Export section belongs to the notebook it was filled for (issue 12, items 8, 9, 12,
 * 14): name, folder, plan and result survive a tab switch and never leak to another
 * notebook; an earlier export does not hide the plan; "Replace" names what it replaces and
 * is offered only for the notebook's own earlier export; the texts speak the panel's
 * language (no command-line flags).
 */
import { expect, galata, test } from '@jupyterlab/galata';
import * as path from 'path';

import { fakeExport, openExample, openPanel, SHOTS } from './helpers';

test.use({ autoGoto: true });

const CLI_FLAG = /--(force|cwd|name)\b|-o\b|set overwrite/;

test.describe('with a default output folder', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'nb2prod:plugin': { outputFolder: 'pkgs' }
    }
  });

  test('name and folder stay with their notebook', async ({ page, tmpPath }) => {
    await openExample(page, tmpPath, 'shipping_quotes.ipynb');
    await openPanel(page);
    const panel = page.locator('#nb2prod-panel');
    const name = panel.locator('.jp-nb2prod-exportName');
    const target = panel.locator('.jp-nb2prod-exportTarget');
    await expect(panel.locator('.jp-nb2prod-runtimeParams')).toContainText('express');
    await expect(target).toHaveAttribute('placeholder', 'pkgs/shipping_quotes');
    await name.fill('quotes_pkg');
    await name.blur();
    await expect(target).toHaveAttribute('placeholder', 'pkgs/quotes_pkg');

    await openExample(page, tmpPath, 'breast_cancer_classifier.ipynb');
    await expect(panel.locator('.jp-nb2prod-runtimeParams')).toContainText('threshold');
    await expect(name).toHaveValue('');
    await expect(name).toHaveAttribute('placeholder', 'breast_cancer_classifier');
    await expect(target).toHaveAttribute('placeholder', 'pkgs/breast_cancer_classifier');

    await page.notebook.activate('shipping_quotes.ipynb');
    await expect(name).toHaveValue('quotes_pkg');
    await expect(target).toHaveAttribute('placeholder', 'pkgs/quotes_pkg');
    await expect(panel.locator('.jp-nb2prod-runtimeParams')).toContainText('express');
  });
});

test('an earlier export of the notebook shows the plan, and Replace names it', async ({
  page,
  tmpPath
}) => {
  await fakeExport(page, `${tmpPath}/build/shipping_quotes`, 'shipping_quotes.ipynb');
  await openExample(page, tmpPath, 'shipping_quotes.ipynb');
  await openPanel(page);
  const panel = page.locator('#nb2prod-panel');
  const section = panel.locator('.jp-nb2prod-export');
  await expect(panel.locator('.jp-nb2prod-runtimeParams')).toContainText('express');
  await expect(section.locator('.jp-nb2prod-existing')).toContainText(
    `${tmpPath}/build/shipping_quotes`
  );
  await expect(section).not.toContainText(CLI_FLAG);
  // The default layout shows the plan's buttons without scrolling.
  await expect(panel.locator('.jp-nb2prod-exportButton')).toBeInViewport();
  await page.screenshot({ path: path.join(SHOTS, 'export-existing.png') });

  await panel.locator('.jp-nb2prod-exportButton').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`${tmpPath}/build/shipping_quotes`);
  await expect(dialog).toContainText('shipping_quotes.ipynb');
  await expect(dialog).not.toContainText(CLI_FLAG);
  await expect(dialog.locator('button', { hasText: 'Replace' })).toBeVisible();
  await dialog.locator('button', { hasText: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(section).not.toContainText(CLI_FLAG);
});

test("another notebook's export is never offered for replacing", async ({
  page,
  tmpPath
}) => {
  await fakeExport(
    page,
    `${tmpPath}/build/breast_cancer_classifier`,
    'shipping_quotes.ipynb'
  );
  await openExample(page, tmpPath, 'breast_cancer_classifier.ipynb');
  await openPanel(page);
  const panel = page.locator('#nb2prod-panel');
  const section = panel.locator('.jp-nb2prod-export');
  await expect(panel.locator('.jp-nb2prod-runtimeParams')).toContainText('threshold');
  await expect(section.locator('.jp-nb2prod-existing')).toContainText(
    'shipping_quotes.ipynb'
  );

  await panel.locator('.jp-nb2prod-exportButton').click();
  await expect(section.locator('.jp-nb2prod-exportProblem')).toContainText(
    'shipping_quotes.ipynb'
  );
  await expect(section).not.toContainText(CLI_FLAG);
  await expect(page.locator('.jp-Dialog button', { hasText: 'Replace' })).toHaveCount(0);
  expect(
    await page.contents.fileExists(
      `${tmpPath}/build/breast_cancer_classifier/src/breast_cancer_classifier/provenance.json`
    )
  ).toBeTruthy();
});

test('an export keeps its name and result across a tab switch', async ({
  page,
  tmpPath
}) => {
  await openExample(page, tmpPath, 'churn_exploration.ipynb');
  await openExample(page, tmpPath, 'shipping_quotes.ipynb');
  await openPanel(page);
  const panel = page.locator('#nb2prod-panel');
  const name = panel.locator('.jp-nb2prod-exportName');
  await expect(panel.locator('.jp-nb2prod-runtimeParams')).toContainText('express');
  await name.fill('quotes_pkg');
  await name.blur();

  await panel.locator('.jp-nb2prod-exportButton').click();
  await expect(panel.locator('.jp-nb2prod-progress')).toBeVisible();
  await page.notebook.activate('churn_exploration.ipynb');
  await expect(name).toHaveValue('');
  await expect(panel.locator('.jp-nb2prod-progress')).toHaveCount(0);

  await page.notebook.activate('shipping_quotes.ipynb');
  await expect(name).toHaveValue('quotes_pkg');
  const files = panel.locator('.jp-nb2prod-file');
  await expect(files.first()).toBeVisible({ timeout: 120000 });
  await expect(panel.locator('.jp-nb2prod-writtenTitle')).toContainText(
    `${tmpPath}/build/quotes_pkg`
  );
  // The result stays with its notebook: away and back again.
  await page.notebook.activate('churn_exploration.ipynb');
  await expect(files).toHaveCount(0);
  await page.notebook.activate('shipping_quotes.ipynb');
  await expect(files.first()).toBeVisible();
});
