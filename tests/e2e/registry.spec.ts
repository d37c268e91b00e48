/**
 * A class registry from the page: a real registry (Debian's docker-registry, CNCF distribution 2.8,
 * started by tests/e2e/registry-setup.ts) with htpasswd logins and CORS headers. In Chromium, on the
 * built site: log in, push, reset everything, log in again, pull and run. A registry that sends no
 * CORS headers, and one whose CORS preflights are refused (distribution with auth and nothing in
 * front of it), fail with a message that says it is CORS.
 */
import { expect, test, type Page } from '@playwright/test';
import { row, screen, terminal, type } from './terminal.ts';

const skip = process.env.E2E_REGISTRY_SKIP;
test.skip(!!skip, `real registry tests skipped: ${skip}`);

const registry = process.env.E2E_REGISTRY ?? '';
const user = process.env.E2E_REGISTRY_USER ?? '';
const password = process.env.E2E_REGISTRY_PASSWORD ?? '';

/** What the terminal shows now, its rows run together (a line wrapped over two rows reads whole). */
const shown = async (page: Page) => ((await screen(page).textContent()) ?? '').replace(/\u00a0/g, ' ');

async function ready(page: Page) {
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
}

test('log in to a class registry, push, reset everything, log in again, pull and run', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await ready(page);

  await type(page, `docker login ${registry} -u ${user} -p ${password}`);
  await expect(screen(page)).toContainText('Login Succeeded');
  await type(page, 'docker pull busybox');
  await type(page, `docker tag busybox ${registry}/class/bb:1`);
  await type(page, `docker push ${registry}/class/bb:1`);
  await expect(screen(page)).toContainText(`The push refers to repository [${registry}/class/bb]`);
  await expect(screen(page)).toContainText(/[0-9a-f]{12}: Pushed/);
  await expect(screen(page)).toContainText(/1: digest: sha256:[0-9a-f]{64} size: \d+/);
  const digest = /1: digest: (sha256:[0-9a-f]{64})/.exec(await shown(page))![1]!;
  await page.screenshot({ path: 'test-results/screenshots/registry-push.png', fullPage: true });

  // the registry holds it (asked from here, not from the page)
  const manifest = await fetch(`http://${registry}/v2/class/bb/manifests/1`, {
    method: 'HEAD',
    headers: {
      Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  expect(manifest.status).toBe(200);
  expect(manifest.headers.get('docker-content-digest')).toBe(digest);

  // reset everything: images and logins are gone
  await page.getByRole('button', { name: 'Reset everything…' }).click();
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Yes, reset everything' }).click()]);
  await ready(page);
  await type(page, 'docker images --format "{{.Repository}}:{{.Tag}}"');
  await expect(screen(page)).not.toContainText('busybox:latest');
  await expect(screen(page)).not.toContainText('class/bb');
  await type(page, `docker pull ${registry}/class/bb:1`);
  await expect(screen(page)).toContainText(/unauthorized|authentication required|no basic auth credentials/i);

  await type(page, `docker login ${registry} -u ${user} -p ${password}`);
  await expect(screen(page)).toContainText('Login Succeeded');
  await type(page, `docker pull ${registry}/class/bb:1`);
  await expect(screen(page)).toContainText('1: Pulling from class/bb');
  await expect(screen(page)).toContainText(`Digest: ${digest}`);
  await expect(screen(page)).toContainText(`Status: Downloaded newer image for ${registry}/class/bb:1`);
  await type(page, `docker run --rm ${registry}/class/bb:1 echo hi`);
  await expect(row(page, /^hi\s*$/)).toHaveCount(1);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false');
  await page.screenshot({ path: 'test-results/screenshots/registry-pull-run.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a registry without CORS headers is refused with a message that says so', async ({ page }) => {
  const noCors = process.env.E2E_REGISTRY_NOCORS ?? '';
  await page.goto('/');
  await ready(page);
  await type(page, `docker pull ${noCors}/class/bb:1`);
  await expect(screen(page)).toContainText('CORS');
  await expect(screen(page)).toContainText('Access-Control-Allow-Origin');
  await page.screenshot({ path: 'test-results/screenshots/registry-no-cors.png', fullPage: true });
  await type(page, 'clear');
  await type(page, `docker login ${noCors} -u someone -p something`);
  await expect(screen(page)).toContainText('CORS');
  await expect(screen(page)).not.toContainText('Login Succeeded');
});

test('a registry that refuses CORS preflights (distribution with logins, nothing in front) fails with a CORS message', async ({ page }) => {
  const direct = process.env.E2E_REGISTRY_DIRECT ?? '';
  await page.goto('/');
  await ready(page);
  await type(page, `docker login ${direct} -u ${process.env.E2E_REGISTRY_DIRECT_USER} -p ${process.env.E2E_REGISTRY_DIRECT_PASSWORD}`);
  await expect(screen(page)).toContainText('CORS');
  // the message names the way out: something in front that answers the preflight
  await expect(screen(page)).toContainText('preflight');
  await expect(screen(page)).not.toContainText('Login Succeeded');
  await page.screenshot({ path: 'test-results/screenshots/registry-preflight-refused.png', fullPage: true });
});
