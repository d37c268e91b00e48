import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: 'http://127.0.0.1:4173',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    trace: 'off',
  },
  webServer: [
    {
      command: 'npm run build && npm run preview',
      url: 'http://127.0.0.1:4173',
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
    },
    {
      // demo/ (a docs page with widgets) on another origin than the widget's files (tests/e2e/widget.spec.ts)
      command: 'node tests/e2e/serve-demo.mjs 4175',
      url: 'http://127.0.0.1:4175/widget-demo.html',
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
  ],
});
