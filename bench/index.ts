/** `npm run bench`: every speed and size target, printed with min / median / max. */
import { benchGuest } from './guest.ts';
import { printRows } from './stats.ts';

const rows = await benchGuest();
printRows('Guest and runtime (Node, v86)', rows);
process.exit(0);
