/**
 * Bind mounts in the page (issue 18): `-v .:/app` binds the workspace beside the editor into a
 * running container; an edit in the editor is in the container a moment later, a file the
 * container writes appears in the file tree (and opens in the editor), and a host path outside the
 * workspace is refused with the reason.
 */
import { expect, test } from '@playwright/test';
import { screen, type } from './terminal.ts';

test('a bind mount of the workspace follows the editor, and what the container writes appears in the file tree', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run -d --name dev -v .:/app busybox sleep 1000');
  await type(page, 'docker exec dev cat /app/app.py');
  await expect(screen(page)).toContainText('Hello from a container!');

  // an edit in the editor reaches the running container
  const tree = page.getByRole('tree');
  await tree.getByRole('treeitem', { name: /app\.py/ }).click();
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('print("edited beside the terminal")\n');
  await expect
    .poll(
      async () => {
        await type(page, 'docker exec dev cat /app/app.py');
        return screen(page).textContent();
      },
      { timeout: 20_000 },
    )
    .toContain('print("edited beside the terminal")');

  // a file the container writes appears in the file tree, and opens in the editor
  await type(page, "docker exec dev sh -c 'mkdir -p /app/out && echo written-by-the-container > /app/out/made.txt'");
  await expect(tree.getByRole('treeitem', { name: /^out/ })).toBeVisible({ timeout: 10_000 });
  await tree.getByRole('treeitem', { name: /^out/ }).click();
  await tree.getByRole('treeitem', { name: /made\.txt/ }).click();
  await expect(page.locator('.cm-content')).toContainText('written-by-the-container');

  // Docker's record of it, and the picture
  await type(page, "docker inspect -f '{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}} {{.RW}}{{end}}' dev");
  await expect(screen(page)).toContainText('bind /workspace /app true');
  await expect(page.locator('.mount', { hasText: '/workspace → /app' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/bind-mount-1440.png', fullPage: true });

  // the page's host paths are its workspace: anything else is refused, with why
  await type(page, 'docker run --rm -v /etc:/x busybox true');
  await expect(screen(page)).toContainText('bind source path does not exist: /etc');
  await expect(screen(page)).toContainText('Host paths in this page are the workspace beside the editor (/workspace)');
  await type(page, 'docker rm -f dev');
  expect(errors).toEqual([]);
});
