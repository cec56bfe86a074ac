/**
 * Galata/Playwright against Debian's Chromium (/usr/bin/chromium): no browser download,
 * no video (it would need Playwright's own ffmpeg), one worker, the network kept quiet.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = process.env.NB2PROD_UI_PORT || '8897';

module.exports = {
  ...baseConfig,
  reporter: [['list']],
  outputDir: '../test-output/ui/results',
  timeout: 120000,
  expect: { timeout: 30000 },
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  projects: [{ name: 'system-chromium', use: { browserName: 'chromium' } }],
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1400, height: 900 },
    video: 'off',
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic'
      ]
    }
  },
  webServer: {
    command: 'jupyter lab --config jupyter_server_test_config.py',
    url: `http://127.0.0.1:${port}/lab`,
    timeout: 180000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe'
  }
};
