import { expect, test, type Page } from '@playwright/test';

const screen = (page: Page) => page.locator('.xterm-rows');
const terminal = (page: Page) => page.getByRole('region', { name: 'Terminal: type docker commands' });
const commandsRun = async (page: Page) => Number(await terminal(page).getAttribute('data-commands'));
const tree = (page: Page) => page.getByRole('tree');

/** Waits until the terminal has run `count` lines and is not busy. */
async function settled(page: Page, count: number) {
  await expect.poll(() => commandsRun(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(count);
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
}

/** Types a line into the terminal and waits for the command to finish. */
async function type(page: Page, line: string) {
  const before = await commandsRun(page);
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await settled(page, before + 1);
}

test('docker cp copies between a container and the workspace, both ways, and Ctrl-C stops a long copy', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run -d --name k2 busybox sleep 1000');

  // into a running container: the workspace's app.py (this hung before, and /tmp/u was "copied from")
  await type(page, 'docker cp app.py k2:/tmp/');
  await expect(screen(page)).toContainText('Successfully copied', { timeout: 20_000 });
  await expect(screen(page)).toContainText('to k2:/tmp/');
  await type(page, 'docker cp app.py k2:/tmp/u');
  await type(page, 'docker exec k2 cat /tmp/u');
  await expect(screen(page)).toContainText('Hello from a container!');

  // out of it: into the workspace, where the file tree shows it and the editor opens it
  await type(page, 'docker exec k2 sh -c "echo copied out > /tmp/t; mkdir /tmp/d; echo deep > /tmp/d/x"');
  await type(page, 'docker cp k2:/tmp/t t.txt');
  await expect(screen(page)).toContainText('Successfully copied 2.05kB to /workspace/t.txt');
  await expect(tree(page).getByRole('treeitem', { name: /t\.txt/ })).toBeVisible();
  await tree(page)
    .getByRole('treeitem', { name: /t\.txt/ })
    .click();
  await expect(page.locator('.cm-content')).toContainText('copied out');
  await type(page, 'docker cp k2:/tmp/d out');
  await expect(tree(page).getByRole('treeitem', { name: /^out/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/cp-1440.png', fullPage: true });

  // binary data survives the trip out and back in, byte for byte
  await type(page, 'docker exec k2 sh -c "head -c 5000 /bin/busybox > /tmp/bin.dat"');
  await type(page, 'docker cp k2:/tmp/bin.dat bin.dat');
  await type(page, 'docker cp bin.dat k2:/tmp/back.dat');
  await type(page, 'docker exec k2 sh -c "cmp /tmp/bin.dat /tmp/back.dat && echo identical-bytes"');
  await expect(screen(page)).toContainText('identical-bytes');

  // Docker's errors, and the workspace's own limits said plainly
  await type(page, 'docker cp k2:/nope .');
  await expect(screen(page)).toContainText('Error response from daemon: Could not find the file /nope in container k2');
  await type(page, 'docker cp app.py k2:/nope/x');
  await expect(screen(page)).toContainText('Could not find the file /nope in container k2');

  // a long copy (24 MB) is stopped by Ctrl-C and the prompt comes back
  await type(page, 'docker exec k2 dd if=/dev/zero of=/big bs=1M count=24');
  const before = await commandsRun(page);
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type('docker cp k2:/big big.bin');
  await page.keyboard.press('Enter');
  await expect(screen(page)).toContainText('Copying from container', { timeout: 20_000 });
  await expect(terminal(page)).toHaveAttribute('aria-busy', 'true');
  const pressed = Date.now();
  await page.keyboard.press('Control+C');
  await settled(page, before + 1);
  expect(Date.now() - pressed).toBeLessThan(5_000);
  await expect(screen(page)).toContainText('(exit 130)');
  await expect(tree(page).getByRole('treeitem', { name: /big\.bin/ })).toHaveCount(0);
  await type(page, 'docker exec k2 echo still-here');
  await expect(screen(page)).toContainText('still-here');

  // a stopped container takes copies too
  await type(page, 'docker stop -t 0 k2');
  await type(page, 'docker cp t.txt k2:/root/');
  await type(page, 'docker start k2');
  await type(page, 'docker exec k2 cat /root/t.txt');
  await expect(screen(page)).toContainText(/cat \/root\/t\.txt\s*copied out/);

  // the copied files are kept like any edit: still there after a reload
  await page.reload();
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await expect(tree(page).getByRole('treeitem', { name: /t\.txt/ })).toBeVisible();
  await expect(tree(page).getByRole('treeitem', { name: /bin\.dat/ })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a copied-out file shows in the file tree on a phone and in dark mode', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  // on a phone the terminal is below the fold, and xterm paints only what is on screen
  await terminal(page).scrollIntoViewIfNeeded();
  await expect(screen(page)).toContainText('The machine is ready', { timeout: 60_000 });
  await type(page, 'docker run --name note busybox sh -c "echo from a container > /note.txt"');
  await type(page, 'docker cp note:/note.txt .');
  await expect(screen(page)).toContainText('Successfully copied 2.05kB to /workspace/.');
  await expect(tree(page).getByRole('treeitem', { name: /note\.txt/ })).toBeVisible();
  await tree(page)
    .getByRole('treeitem', { name: /note\.txt/ })
    .click();
  await expect(page.locator('.cm-content')).toContainText('from a container');
  await page.screenshot({ path: 'test-results/screenshots/cp-390-dark.png', fullPage: true });
});
