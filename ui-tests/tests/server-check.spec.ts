/**
 * The one dialog shown when the server extension is missing (404 on /nb2prod/version) or
 * at another version than the panel: the answers are replaced in the browser.
 */
import { expect, test } from '@jupyterlab/galata';

// The dialog takes the focus from the Launcher, which Galata's default readiness waits for.
test.use({
  autoGoto: false,
  waitForApplication: async ({}, use) => {
    await use(async page => {
      await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    });
  }
});

test('a missing server extension is reported with the fix', async ({ page }) => {
  await page.route(/\/nb2prod\/version/, route =>
    route.fulfill({ status: 404, contentType: 'text/html', body: '' })
  );
  await page.goto();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('nb2prod server extension not found');
  await expect(dialog).toContainText('jupyter server extension enable nb2prod');
  await expect(dialog).toHaveCount(1);
});

test('a server extension of another version is reported', async ({ page }) => {
  await page.route(/\/nb2prod\/version/, route =>
    route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ version: '0.0.1' })
    })
  );
  await page.goto();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('nb2prod versions differ');
  await expect(dialog).toContainText('0.0.1');
});

test('a matching server extension shows no dialog', async ({ page }) => {
  const answered = page.waitForResponse(/\/nb2prod\/version/);
  await page.goto();
  expect((await answered).status()).toBe(200);
  await page.waitForTimeout(500);
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
});
