/**
 * Playwright's global setup: real registries (Debian's docker-registry, CNCF distribution) for
 * tests/e2e/registry.spec.ts, running for the whole e2e run and stopped after it. Their addresses
 * reach the tests as environment variables (workers start after this and inherit them):
 *   E2E_REGISTRY          a class registry: htpasswd login, CORS headers, and a proxy in front that
 *                         answers CORS preflights (distribution answers them 401 when auth is on)
 *   E2E_REGISTRY_USER / E2E_REGISTRY_PASSWORD   its login
 *   E2E_REGISTRY_DIRECT   the same kind of registry without the proxy (preflights refused)
 *   E2E_REGISTRY_NOCORS   a registry without CORS headers (and without auth)
 *   E2E_REGISTRY_SKIP     why there are none (docker-registry missing; an error under CI)
 * Ports are free ones unless E2E_REGISTRY_PORT, E2E_REGISTRY_DIRECT_PORT or E2E_REGISTRY_NOCORS_PORT
 * say otherwise (never 5000: localhost:5000 is the page's own registry).
 */
import { registryUnavailable, startRegistry, type RegistryServer } from '../support/registry-server.ts';

const port = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);

export default async function registrySetup(): Promise<() => Promise<void>> {
  const why = registryUnavailable();
  if (why) {
    if (process.env.CI) throw new Error(`${why}: the registry e2e tests cannot run, and CI must run them`);
    process.env.E2E_REGISTRY_SKIP = why;
    return async () => {};
  }
  const started: RegistryServer[] = [];
  const stop = async () => {
    await Promise.all(started.map((r) => r.stop()));
  };
  try {
    const classRegistry = await startRegistry({ auth: true, cors: true, preflightProxy: true, port: port('E2E_REGISTRY_PORT') });
    started.push(classRegistry);
    const direct = await startRegistry({ auth: true, cors: true, port: port('E2E_REGISTRY_DIRECT_PORT') });
    started.push(direct);
    const noCors = await startRegistry({ auth: false, cors: false, port: port('E2E_REGISTRY_NOCORS_PORT') });
    started.push(noCors);
    process.env.E2E_REGISTRY = classRegistry.host;
    process.env.E2E_REGISTRY_USER = classRegistry.username;
    process.env.E2E_REGISTRY_PASSWORD = classRegistry.password;
    process.env.E2E_REGISTRY_DIRECT = direct.host;
    process.env.E2E_REGISTRY_DIRECT_USER = direct.username;
    process.env.E2E_REGISTRY_DIRECT_PASSWORD = direct.password;
    process.env.E2E_REGISTRY_NOCORS = noCors.host;
  } catch (e) {
    await stop();
    throw e;
  }
  return stop;
}
