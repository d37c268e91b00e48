/**
 * Published ports in the page (issue 14): `docker run -p 8080:80` opens a Preview beside the
 * terminal whose page comes from the container through the service worker, the engine worker
 * and the guest agent: its CSS at an absolute path loads, a link to another absolute path stays
 * in the preview, a stopped container's preview says so, and containers on a user-defined network
 * reach each other by name.
 */
import { expect, test } from '@playwright/test';
import { screen, type } from './terminal.ts';

test('a published port opens in the Preview, with its CSS and links working', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  const site =
    "mkdir /www; echo '<link rel=stylesheet href=/style.css><h1>Hello from the container</h1><a href=/about.html>About</a>' > /www/index.html; " +
    "echo 'h1 { color: rgb(1, 2, 3) }' > /www/style.css; echo '<p>About this site</p>' > /www/about.html; exec httpd -f -p 80 -h /www";
  await type(page, `docker run -d --name site -p 8080:80 busybox sh -c "${site}"`);
  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview).toBeVisible({ timeout: 30_000 });
  await expect(preview.getByRole('tab', { name: 'localhost:8080' })).toBeVisible();
  // the terminal says where it is, too
  await expect(screen(page)).toContainText(
    /Preview: http:\/\/127\.0\.0\.1:\d+\/preview\/8080\/ \(localhost:8080, shown beside the terminal\)/,
  );
  const frame = page.frameLocator('iframe[data-preview-port="8080"]');
  await expect(frame.getByRole('heading', { name: 'Hello from the container' })).toBeVisible({ timeout: 30_000 });
  // the stylesheet at /style.css came from the container too
  await expect(frame.getByRole('heading')).toHaveCSS('color', 'rgb(1, 2, 3)');
  await page.screenshot({ path: 'test-results/screenshots/preview.png', fullPage: true });
  // a link to an absolute path stays in the preview
  await frame.getByRole('link', { name: 'About' }).click();
  await expect(frame.getByText('About this site')).toBeVisible({ timeout: 30_000 });
  // the picture draws the network lane and the published port
  await expect(page.getByRole('listitem', { name: /^Network bridge/ })).toContainText(/site 172\.17\.0\.\d+/);
  // a stopped container's preview says so
  await type(page, 'docker stop -t 1 site');
  await expect(preview).toContainText('Nothing publishes port 8080 now', { timeout: 30_000 });
});

test('containers on a user-defined network reach each other by name', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker network create shop');
  await type(page, 'docker run -d --name api --network shop busybox httpd -f -p 80 -h /etc');
  await type(page, 'docker run --rm --network shop busybox wget -q -O- http://api/hostname');
  // the api container's hostname, found by its name
  await expect(page.locator('.xterm-rows > div', { hasText: /^[0-9a-f]{12}\s*$/ })).toHaveCount(1);
  await type(page, 'docker network ls');
  await expect(screen(page)).toContainText(/shop\s+bridge\s+local/);
  await type(page, 'docker rm -f api');
  await type(page, 'docker network rm shop');
});

test("the seed's Flask app in the Preview, and the 127.0.0.1 trap said plainly", async ({ page }) => {
  test.setTimeout(420_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  // the seed's Dockerfile and requirements; app.py becomes a web app, as the seed's is, and
  // trap.py the same app run with Flask's default address, 127.0.0.1
  const lines = [
    'import flask',
    'app = flask.Flask(__name__)',
    '@app.route("/")',
    'def home():',
    '    return "<h1>Hello from Flask in a container</h1>"',
  ];
  for (const [i, line] of lines.entries()) {
    await type(page, `echo '${line}' ${i === 0 ? '>' : '>>'} app.py`);
    await type(page, `echo '${line}' ${i === 0 ? '>' : '>>'} trap.py`);
  }
  await type(page, `echo 'app.run(host="0.0.0.0", port=5000)' >> app.py`);
  await type(page, `echo 'app.run(port=5000)' >> trap.py`);
  await type(page, 'docker build -t flask-app .');
  await type(page, 'docker run -d --name flask -p 5000:5000 flask-app');
  const frame = page.frameLocator('iframe[data-preview-port="5000"]');
  // Flask takes a moment to listen: reload until it answers
  await expect(async () => {
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(frame.getByRole('heading', { name: 'Hello from Flask in a container' })).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 90_000 });
  await page.screenshot({ path: 'test-results/screenshots/preview-flask.png', fullPage: true });
  // the same app on 127.0.0.1: the Preview says why it cannot be reached
  await type(page, 'docker run -d --name trapped -p 5001:5000 flask-app python trap.py');
  await page.getByRole('tab', { name: 'localhost:5001' }).click();
  const trapped = page.frameLocator('iframe[data-preview-port="5001"]');
  await expect(async () => {
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(trapped.locator('body')).toContainText('A server must listen on 0.0.0.0', { timeout: 3_000 });
  }).toPass({ timeout: 90_000 });
  await expect(trapped.locator('body')).toContainText("Flask's app.run() without host=");
});
