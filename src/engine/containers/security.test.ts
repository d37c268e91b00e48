import { describe, expect, it } from 'vitest';
import { capabilityMask, DEFAULT_CAPABILITIES, effectiveCapabilities, noNewPrivileges, normalizeCapability } from './security.ts';

describe('container capabilities', () => {
  it("are runc's default 14 unless told otherwise: CapEff 00000000a80425fb", () => {
    expect(DEFAULT_CAPABILITIES).toHaveLength(14);
    expect(capabilityMask(effectiveCapabilities({}))).toBe('00000000a80425fb');
  });

  it('--privileged and --cap-add ALL give all 41 (000001ffffffffff); --cap-drop ALL none', () => {
    expect(capabilityMask(effectiveCapabilities({ privileged: true }))).toBe('000001ffffffffff');
    expect(capabilityMask(effectiveCapabilities({ capAdd: ['ALL'] }))).toBe('000001ffffffffff');
    expect(capabilityMask(effectiveCapabilities({ capDrop: ['ALL'] }))).toBe('0000000000000000');
  });

  it('adds and drops by name, with or without CAP_, in any case; an add wins over a drop', () => {
    const caps = effectiveCapabilities({ capAdd: ['sys_admin', 'CAP_NET_ADMIN'], capDrop: ['chown', 'NET_ADMIN'] });
    expect(caps).toContain('CAP_SYS_ADMIN');
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).not.toContain('CAP_CHOWN');
    expect(effectiveCapabilities({ capDrop: ['ALL'], capAdd: ['NET_BIND_SERVICE'] })).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(capabilityMask(effectiveCapabilities({ capAdd: ['ALL'], capDrop: ['SYS_ADMIN'] }))).toBe('000001ffffdfffff');
  });

  it("refuses an unknown capability in the daemon's words", () => {
    expect(() => normalizeCapability('FOO', 'CapAdd')).toThrow('invalid CapAdd: unknown capability: "CAP_FOO"');
    expect(() => effectiveCapabilities({ capDrop: ['cap_nope'] })).toThrow('invalid CapDrop: unknown capability: "CAP_NOPE"');
  });
});

describe('--security-opt', () => {
  it('turns no_new_privs on with no-new-privileges[:true], off with :false', () => {
    expect(noNewPrivileges()).toBe(false);
    expect(noNewPrivileges(['no-new-privileges'])).toBe(true);
    expect(noNewPrivileges(['no-new-privileges:true'])).toBe(true);
    expect(noNewPrivileges(['no-new-privileges=false'])).toBe(false);
  });

  it('refuses seccomp, AppArmor and SELinux options with why, and nonsense as Docker does', () => {
    expect(() => noNewPrivileges(['seccomp=unconfined'])).toThrow(
      /"seccomp=unconfined" is not supported by LayerLab: its kernel has no seccomp/,
    );
    expect(() => noNewPrivileges(['apparmor=docker-default'])).toThrow(/not supported by LayerLab/);
    expect(() => noNewPrivileges(['bogus'])).toThrow('invalid --security-opt: "bogus"');
  });
});
