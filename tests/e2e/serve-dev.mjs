// Runs the dev server (`npm run dev`, Vite) on 127.0.0.1:PORT over a copy of lessons/, for
// tests/e2e/dev-server.spec.ts, which edits a lesson there and expects the page to reload.
import { cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'vite';

const port = Number(process.argv[2] ?? 5174);
const lessons = join(tmpdir(), `layerlab-dev-lessons-${port}`);
rmSync(lessons, { recursive: true, force: true });
cpSync('lessons', lessons, { recursive: true });
process.env.LAYERLAB_LESSONS_DIR = lessons;
const server = await createServer({ server: { host: '127.0.0.1', port, strictPort: true } });
await server.listen();
server.printUrls();
