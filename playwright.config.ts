import { defineConfig } from '@playwright/test';

// Ports can be moved (E2E_PORT, E2E_DEMO_PORT, E2E_DEV_PORT) so that two checkouts can run their
// browser tests side by side without reusing each other's servers.
const port = Number(process.env.E2E_PORT ?? 4173);
const demoPort = Number(process.env.E2E_DEMO_PORT ?? 4175);
const devPort = Number(process.env.E2E_DEV_PORT ?? 5174);

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  // real registries (docker-registry) for tests/e2e/registry.spec.ts, on free ports unless
  // E2E_REGISTRY_PORT, E2E_REGISTRY_DIRECT_PORT, E2E_REGISTRY_NOCORS_PORT say otherwise
  globalSetup: './tests/e2e/registry-setup.ts',
  use: {
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    trace: 'off',
  },
  projects: [
    // the built site, as `npm run build && npm run preview` serves it
    { name: 'site', testIgnore: /dev-server\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${port}` } },
    // the README's first command: `npm run dev`
    { name: 'dev', testMatch: /dev-server\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${devPort}` } },
  ],
  webServer: [
    {
      command: `npm run build && npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
      url: `http://127.0.0.1:${port}`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
    },
    {
      // demo/ (a docs page with widgets) on another origin than the widget's files (tests/e2e/widget.spec.ts)
      command: `node tests/e2e/serve-demo.mjs ${demoPort}`,
      url: `http://127.0.0.1:${demoPort}/widget-demo.html`,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
    {
      // the dev server over a copy of lessons/ that tests/e2e/dev-server.spec.ts may edit
      command: `node tests/e2e/serve-dev.mjs ${devPort}`,
      url: `http://127.0.0.1:${devPort}`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
  ],
});
