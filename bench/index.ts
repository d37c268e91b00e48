/** `npm run bench`: every speed and size target, printed with min / median / max. */
import { benchBrowser } from './browser.ts';
import { benchCli } from './cli.ts';
import { benchCompose } from './compose.ts';
import { benchEngine } from './engine.ts';
import { benchGuest } from './guest.ts';
import { benchImages } from './images.ts';
import { benchNetwork } from './network.ts';
import { benchPage } from './page.ts';
import { benchSoak } from './soak.ts';
import { misses, printRows } from './stats.ts';

const only = process.argv[2];
if (!only || only === 'guest') printRows('Guest and runtime (Node, v86)', await benchGuest());
if (!only || only === 'engine') printRows('Container engine (Node, v86)', await benchEngine());
if (!only || only === 'browser') printRows('The site in Chromium', await benchBrowser());
if (!only || only === 'page') printRows('The page itself: typed in the terminal, beside the same work in Node', await benchPage());
if (!only || only === 'network') printRows("Networks and published ports (Node, and the page's Preview)", await benchNetwork());
if (!only || only === 'soak') printRows('A long session in one guest (Node, v86)', await benchSoak());
if (!only || only === 'cli') printRows('The headless CLI (Node, a new process per command)', await benchCli());
if (!only || only === 'compose') printRows('docker compose (Node, and typed in the page)', await benchCompose());
if (!only || only === 'images') printRows('Base images and the seed example (Node, v86)', await benchImages());
if (misses.length) {
  console.log(`\n${misses.length} target${misses.length === 1 ? '' : 's'} missed: ${misses.join('; ')}`);
  process.exit(1);
}
process.exit(0);
