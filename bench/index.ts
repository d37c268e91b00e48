/** `npm run bench`: every speed and size target, printed with min / median / max. */
import { benchEngine } from './engine.ts';
import { benchGuest } from './guest.ts';
import { printRows } from './stats.ts';

const only = process.argv[2];
if (!only || only === 'guest') printRows('Guest and runtime (Node, v86)', await benchGuest());
if (!only || only === 'engine') printRows('Container engine (Node, v86)', await benchEngine());
process.exit(0);
