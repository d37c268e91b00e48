/**
 * Health checks (`HEALTHCHECK`, `docker run --health-cmd …`), run as the daemon runs them while
 * the container runs: a probe (an exec in the container) every interval (every start interval
 * during the start period, whose failures do not count), killed after its timeout; `retries`
 * failures in a row make the container unhealthy, one success healthy again; the last five
 * results kept with their output.
 */
import type { AttachedProcess } from '../api.ts';
import type { Healthcheck } from '../oci/types.ts';
import type { ContainerRecord, HealthState } from './types.ts';

const SECOND = 1e9;
/** Docker's defaults (ns). */
export const HEALTH_DEFAULTS = { Interval: 30 * SECOND, Timeout: 30 * SECOND, StartPeriod: 0, StartInterval: 5 * SECOND, Retries: 3 };
/** How much of a probe's output is kept (moby's maxOutputLen). */
const MAX_OUTPUT = 4096;
/** How many results are kept (moby's maxLogEntries). */
const MAX_LOG = 5;

/** The container's health check, or undefined when it has none (or `NONE`). */
export function activeHealthcheck(r: ContainerRecord): Healthcheck | undefined {
  const hc = r.config.healthcheck;
  if (!hc?.Test?.length || hc.Test[0] === 'NONE') return undefined;
  return hc;
}

/** The argv of a probe: `CMD` as given, `CMD-SHELL` through `/bin/sh -c`. */
export function probeArgv(hc: Healthcheck): string[] {
  const [kind, ...rest] = hc.Test ?? [];
  return kind === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : rest;
}

/** What health checks need of the container manager. */
export interface HealthHooks {
  /** Starts a probe in the running container. */
  exec(id: string, argv: string[]): Promise<AttachedProcess>;
  /** Stores the container's new health (unless it stopped meanwhile). */
  save(id: string, health: HealthState): Promise<void>;
  /** Tells of a change of status (`health_status: healthy`). */
  changed(id: string, status: HealthState['status']): void;
  now(): Date;
}

/** The health checks of the running containers. */
export class HealthChecks {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly hooks: HealthHooks) {}

  /** Starts checking a container that just started: status `starting`. */
  start(r: ContainerRecord): HealthState | undefined {
    const hc = activeHealthcheck(r);
    if (!hc) return undefined;
    const health: HealthState = { status: 'starting', failingStreak: 0, log: [] };
    const startedAt = this.hooks.now().getTime();
    const ms = (ns: number | undefined, d: number) => (ns || d) / 1e6;
    const interval = ms(hc.Interval, HEALTH_DEFAULTS.Interval);
    const startInterval = ms(hc.StartInterval, HEALTH_DEFAULTS.StartInterval);
    const startPeriod = ms(hc.StartPeriod, HEALTH_DEFAULTS.StartPeriod);
    const inStartPeriod = () => this.hooks.now().getTime() - startedAt < startPeriod;
    const schedule = () => {
      const wait = inStartPeriod() && health.status === 'starting' ? startInterval : interval;
      this.timers.set(
        r.id,
        setTimeout(() => void probe(), wait),
      );
    };
    const probe = async () => {
      const result = await this.runProbe(r.id, hc);
      if (!this.timers.has(r.id)) return;
      health.log = [...health.log, result].slice(-MAX_LOG);
      const before = health.status;
      if (result.exitCode === 0) {
        health.status = 'healthy';
        health.failingStreak = 0;
      } else if (!(inStartPeriod() && health.status === 'starting')) {
        health.failingStreak++;
        if (health.failingStreak >= (hc.Retries || HEALTH_DEFAULTS.Retries)) health.status = 'unhealthy';
      }
      await this.hooks.save(r.id, { ...health, log: [...health.log] }).catch(() => {});
      if (health.status !== before) this.hooks.changed(r.id, health.status);
      if (this.timers.has(r.id)) schedule();
    };
    schedule();
    return health;
  }

  /** Stops checking (the container stopped or went). */
  stop(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  private async runProbe(id: string, hc: Healthcheck): Promise<HealthState['log'][number]> {
    const start = this.hooks.now().toISOString();
    const timeoutMs = (hc.Timeout || HEALTH_DEFAULTS.Timeout) / 1e6;
    let output = '';
    const keep = (d: Uint8Array) => {
      if (output.length < MAX_OUTPUT) output = (output + new TextDecoder().decode(d)).slice(0, MAX_OUTPUT);
    };
    let exitCode: number;
    try {
      const proc = await this.hooks.exec(id, probeArgv(hc));
      proc.onStdout(keep);
      proc.onStderr(keep);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          proc.kill('SIGKILL');
          output = `Health check exceeded timeout (${timeoutMs / 1000}s)`;
          resolve(-1);
        }, timeoutMs);
      });
      exitCode = await Promise.race([proc.exit, timedOut]);
      clearTimeout(timer);
    } catch (err) {
      exitCode = -1;
      output = (err as Error).message;
    }
    return { start, end: this.hooks.now().toISOString(), exitCode, output };
  }
}
