/**
 * A container's privileges as Docker sets them: runc's default capability set (14 of Linux's 41),
 * `--cap-add`/`--cap-drop` (names with or without CAP_, or ALL), `--privileged` (every capability,
 * nothing masked) and `--security-opt no-new-privileges`. The agent applies the result in the guest.
 */
import { InvalidArgumentError } from '../errors.ts';

/** Linux's capabilities by number (kernel 6.1: 0 … 40). */
export const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const; // prettier-ignore

/** Docker's default capabilities (runc's default spec). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
]; // prettier-ignore

/** What `docker run` asked for. */
export interface SecurityOptions {
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  securityOpt?: string[];
}

/** A capability name as Docker normalises it: upper case with CAP_, or ALL; unknown ones refused. */
export function normalizeCapability(name: string, flag: 'CapAdd' | 'CapDrop'): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!(CAPABILITIES as readonly string[]).includes(full)) throw new InvalidArgumentError(`invalid ${flag}: unknown capability: "${full}"`);
  return full;
}

/** The capabilities a container gets, in Linux's order: ALL in --cap-add starts from all, ALL in --cap-drop from none; then drops, then adds. */
export function effectiveCapabilities(options: SecurityOptions): string[] {
  if (options.privileged) return [...CAPABILITIES];
  const add = (options.capAdd ?? []).map((c) => normalizeCapability(c, 'CapAdd'));
  const drop = (options.capDrop ?? []).map((c) => normalizeCapability(c, 'CapDrop'));
  const set = new Set<string>(add.includes('ALL') ? CAPABILITIES : drop.includes('ALL') ? [] : DEFAULT_CAPABILITIES);
  for (const c of drop) if (c !== 'ALL') set.delete(c);
  for (const c of add) if (c !== 'ALL') set.add(c);
  return CAPABILITIES.filter((c) => set.has(c));
}

/** A capability set as the 16-hex-digit mask /proc/PID/status prints (`CapEff: 00000000a80425fb`). */
export function capabilityMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) mask |= 1n << BigInt((CAPABILITIES as readonly string[]).indexOf(c));
  return mask.toString(16).padStart(16, '0');
}

/** Whether `--security-opt` asks for no_new_privs; refuses what LayerLab cannot honour. */
export function noNewPrivileges(securityOpt: readonly string[] = []): boolean {
  let on = false;
  for (const opt of securityOpt) {
    const m = /^no-new-privileges(?:[:=](true|false))?$/.exec(opt.trim());
    if (m) {
      on = m[1] !== 'false';
      continue;
    }
    const kind = opt.split(/[=:]/)[0] ?? opt;
    if (['seccomp', 'apparmor', 'label', 'systempaths', 'mask', 'writable-cgroups'].includes(kind))
      throw new InvalidArgumentError(
        `security option "${opt}" is not supported by LayerLab: its kernel has no seccomp, AppArmor or SELinux; containers get Docker's default capabilities and masked paths instead`,
      );
    throw new InvalidArgumentError(`invalid --security-opt: ${JSON.stringify(opt)}`);
  }
  return on;
}
