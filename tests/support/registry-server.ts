/**
 * A real registry for the vm and e2e tests: Debian's `docker-registry` (CNCF distribution 2.8)
 * started on 127.0.0.1 with a free port, storage in a temporary folder, and
 *   - CORS headers on every response (distribution's `http.headers`), so the page may read them;
 *   - htpasswd auth (bcrypt, made with `htpasswd -Bbn`), so `docker login` has something to do.
 * `.ci/run` installs `docker-registry` and `apache2-utils` (htpasswd).
 *
 * Distribution answers a CORS preflight (`OPTIONS` without credentials, as browsers send it) with
 * 401 when auth is on (distribution/distribution#4458): the browser then refuses every request that
 * carries `Authorization`. A class registry with logins therefore needs something in front that
 * answers `OPTIONS` itself (nginx, Caddy, …); `preflightProxy` starts the smallest such thing
 * (a Node proxy that answers preflights with 204 and passes everything else through unchanged)
 * for the browser tests. Without auth distribution answers preflights with 200 itself.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The CORS headers a class registry sends (what `http.headers` in its config.yml says). */
export const CORS_HEADERS: Record<string, string[]> = {
  'Access-Control-Allow-Origin': ['*'],
  'Access-Control-Allow-Methods': ['HEAD', 'GET', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'],
  'Access-Control-Allow-Headers': [
    'Authorization',
    'Accept',
    'Content-Type',
    'Content-Range',
    'Content-Length',
    'Docker-Content-Digest',
    'Range',
  ],
  'Access-Control-Expose-Headers': [
    'Docker-Content-Digest',
    'Docker-Upload-UUID',
    'Docker-Distribution-Api-Version',
    'Location',
    'Range',
    'Content-Range',
    'Content-Length',
    'WWW-Authenticate',
  ],
};

export interface RegistryOptions {
  /** htpasswd auth with a generated user and password (default true). */
  auth?: boolean;
  /** CORS headers on every response (default true). */
  cors?: boolean;
  /** Put a preflight-answering proxy in front (for browsers talking to an auth registry); `host` is then the proxy's. */
  preflightProxy?: boolean;
  /** The port of `host` (the proxy's with `preflightProxy`; default: a free one). */
  port?: number;
}

export interface RegistryServer {
  /** `127.0.0.1:PORT`, as image references name the registry (the proxy's port with `preflightProxy`). */
  host: string;
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The registry's own port (differs from `port` with `preflightProxy`). */
  registryPort: number;
  /** The login, with auth. */
  username: string | undefined;
  password: string | undefined;
  /** The temporary folder: config.yml, htpasswd, data/. */
  dir: string;
  /** What the registry wrote so far (its access log and errors). */
  log(): string;
  /** Stops the registry (and the proxy) and deletes the folder. */
  stop(): Promise<void>;
}

/** Whether `docker-registry` (and, for auth, `htpasswd`) can be run here; otherwise why not. */
export function registryUnavailable(options: { auth?: boolean } = {}): string | undefined {
  const tools: [string, string[]][] = [['docker-registry', ['--version']]];
  if (options.auth ?? true) tools.push(['htpasswd', ['-nbB', 'x', 'x']]);
  for (const [cmd, args] of tools) {
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      const pkg = cmd === 'htpasswd' ? 'apache2-utils' : 'docker-registry';
      return `${cmd} is not installed (Debian package ${pkg}; .ci/run installs it)`;
    }
  }
  return undefined;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** distribution's config.yml (YAML is a superset of JSON: written as JSON, no YAML writer needed). */
function configYaml(dir: string, port: number, options: { auth: boolean; cors: boolean }): string {
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'info', formatter: 'text' },
    storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
    http: {
      addr: `127.0.0.1:${port}`,
      // a fixed secret: upload state survives nothing else anyway (one instance, one test run)
      secret: randomBytes(16).toString('hex'),
      headers: { 'X-Content-Type-Options': ['nosniff'], ...(options.cors ? CORS_HEADERS : {}) },
    },
  };
  if (options.auth) config.auth = { htpasswd: { realm: 'LayerLab test registry', path: join(dir, 'htpasswd') } };
  return JSON.stringify(config, null, 2) + '\n';
}

/** Polls `GET /v2/` until the registry answers (401 with auth, 200 without). */
async function waitUntilUp(url: string, child: ChildProcess, log: () => string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}) before answering:\n${log()}`);
    try {
      const r = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 401 || r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer ${url}/v2/ within ${ms} ms (${last}):\n${log()}`);
}

/**
 * A proxy on a free port that answers CORS preflights itself (204 with `CORS_HEADERS`) and passes
 * every other request through to `target` unchanged (Host included, so the registry's `Location`
 * URLs name the proxy), streaming both ways.
 */
async function startPreflightProxy(targetPort: number, listenPort?: number): Promise<{ port: number; server: Server }> {
  const server = createHttpServer((req, res) => {
    if (req.method === 'OPTIONS') {
      const headers: Record<string, string> = { 'Access-Control-Max-Age': '600', 'Content-Length': '0' };
      for (const [name, values] of Object.entries(CORS_HEADERS)) headers[name] = values.join(', ');
      res.writeHead(204, headers).end();
      req.resume();
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`proxy: ${e.message}`);
    });
    req.pipe(upstream);
  });
  const port = listenPort ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { port, server };
}

/** Starts a registry; call `stop()` when done (the test file's afterAll). */
export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryServer> {
  // a free port can be taken between finding it and binding it: try another one then
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (e) {
      if (options.port !== undefined || attempt === 3 || !/address already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function startOnce(options: RegistryOptions): Promise<RegistryServer> {
  const auth = options.auth ?? true;
  const cors = options.cors ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'layerlab-registry-'));
  let username: string | undefined;
  let password: string | undefined;
  if (auth) {
    username = 'student';
    // hex: never starts with '-' (it is typed after -p)
    password = randomBytes(12).toString('hex');
    writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', username, password]));
  }
  const registryPort = (options.preflightProxy ? undefined : options.port) ?? (await freePort());
  writeFileSync(join(dir, 'config.yml'), configYaml(dir, registryPort, { auth, cors }));
  const chunks: Buffer[] = [];
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => chunks.push(d));
  child.stderr!.on('data', (d: Buffer) => chunks.push(d));
  child.on('error', (e) => chunks.push(Buffer.from(`docker-registry: ${e.message}\n`)));
  const log = () => Buffer.concat(chunks).toString();
  // a test run that ends without stop() (an interrupted run) takes its registry with it
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const registryUrl = `http://127.0.0.1:${registryPort}`;
  let proxy: { port: number; server: Server } | undefined;
  const stop = async () => {
    if (proxy) {
      proxy.server.closeAllConnections();
      await new Promise((r) => proxy!.server.close(r));
    }
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(registryUrl, child, log);
    if (options.preflightProxy) proxy = await startPreflightProxy(registryPort, options.port);
  } catch (e) {
    await stop();
    throw e;
  }
  const port = proxy?.port ?? registryPort;
  return {
    host: `127.0.0.1:${port}`,
    port,
    url: `http://127.0.0.1:${port}`,
    registryPort,
    username,
    password,
    dir,
    log,
    stop,
  };
}

/** The login of a running registry as `docker login` flags. */
export function loginArgs(r: RegistryServer): string[] {
  return ['login', r.host, '-u', r.username ?? '', '-p', r.password ?? ''];
}

/** The registry's config.yml, for a failure message. */
export function registryConfig(r: RegistryServer): string {
  return readFileSync(join(r.dir, 'config.yml'), 'utf8');
}
