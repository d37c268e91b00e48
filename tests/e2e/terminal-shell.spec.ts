/**
 * The terminal's own command line (issue 18): redirects to and from workspace files, pipes into
 * host tools and between docker commands, variables, and lists with ; && ||, as a tutorial types
 * them on a computer with Docker.
 */
import { expect, test } from '@playwright/test';
import { row, screen, type } from './terminal.ts';

test('redirects, pipes, variables and lists around docker commands', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run -d --name c busybox sleep 1000');

  // the redirect is the terminal's, not the container's: the file lands in the workspace
  await type(page, 'docker exec c echo hi > hello.txt');
  await expect(page.getByRole('tree').getByText('hello.txt')).toBeVisible();
  await type(page, 'cat hello.txt');
  await expect(row(page, /^hi\s*$/)).toHaveCount(1);

  // a script from the workspace on a container's stdin
  await type(page, 'echo "echo from-script; hostname" > script.sh');
  await type(page, 'docker exec -i c sh < script.sh');
  await expect(row(page, /^from-script\s*$/)).toHaveCount(1);

  // pipes into host tools, and variables
  await type(page, 'export NAME=c');
  await type(page, 'docker ps --format "{{.Names}} {{.Image}}" | grep "^$NAME " | wc -l');
  await expect(row(page, /^1\s*$/)).toHaveCount(1);
  await type(page, 'docker inspect nothing-here 2>/dev/null || echo "no such thing: $?"');
  await expect(row(page, /^no such thing: 1\s*$/)).toHaveCount(1);
  await type(page, 'docker inspect nothing-here > out.json 2>&1 || echo "exit was $?"');
  await expect(row(page, /^exit was 1\s*$/)).toHaveCount(1);
  await type(page, 'grep -c "No such object" out.json && echo found');
  await expect(row(page, /^found\s*$/)).toHaveCount(1);

  // bytes through a pipe between two docker commands
  await type(page, 'docker save busybox | docker load');
  await expect(screen(page)).toContainText('Loaded image: busybox:latest');

  // what it cannot do, it says
  await type(page, 'docker run -d busybox sleep 5 &');
  await expect(screen(page)).toContainText('layerlab: &: this terminal runs one command at a time');
  await page.screenshot({ path: 'test-results/screenshots/terminal-shell.png', fullPage: true });
  await type(page, 'docker rm -f c');
});
