/**
 * What a container's overlay upper dir holds after deletions and replaced directories, and the
 * agent applets that read and write what busybox tar cannot (the opaque xattr).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeMachine } from '../../src/runtime/node.ts';
import { collect } from '../../src/runtime/types.ts';
import type { V86Machine } from '../../src/runtime/v86-machine.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
let m: V86Machine;
const base = '/var/lib/layerlab/t-upper';

async function sh(script: string, extra = {}) {
  const r = await collect(await m.spawn({ argv: ['sh', '-c', script], stdinNull: true, ...extra }));
  if (r.status.code !== 0) throw new Error(`sh failed (${r.status.code}): ${text(r.stderr)}`);
  return text(r.stdout);
}

function inContainer(script: string, upper: string) {
  return sh(script, {
    root: `${base}/merged-${upper}`,
    overlay: { lower: [`${base}/lower`], upper: `${base}/${upper}`, work: `${base}/work-${upper}` },
    namespaces: ['pid', 'mnt', 'uts', 'ipc'],
  });
}

beforeAll(async () => {
  m = await startNodeMachine({ boot: 'snapshot', healthInterval: 0 });
  await sh(`
    set -e
    mkdir -p ${base}/lower/bin ${base}/lower/etc ${base}/lower/dir/sub
    cp /bin/busybox ${base}/lower/bin/; for a in sh rm mkdir ls cat echo; do ln -s busybox ${base}/lower/bin/$a; done
    echo a > ${base}/lower/etc/a; echo b > ${base}/lower/etc/b; echo x > ${base}/lower/dir/x; echo y > ${base}/lower/dir/sub/y
  `);
});
afterAll(async () => {
  await m?.stop();
});

describe('overlay upper dir', () => {
  it('records deletions as 0/0 character devices and a replaced directory as opaque', async () => {
    await inContainer('rm /etc/a /etc/b && rm -rf /dir && mkdir /dir && echo z > /dir/z', 'u1');
    const listing = await sh(`cd ${base}/u1 && ls -ln etc | sed 1d | awk '{print $1, $5, $6, $NF}'`);
    expect(listing).toBe('c--------- 0, 0 a\nc--------- 0, 0 b\n');
    expect(await sh(`/sbin/layerlab-agent opaque-dirs ${base}/u1 | tr '\\0' '\\n'`)).toBe('dir\n');
    // the kernel gives both whiteouts one inode, so busybox tar writes the second as a hard
    // link to the first; and it keeps the devices but not the opaque xattr (hence the applet)
    const tarList = await sh(`cd ${base}/u1 && tar -cf - . | tar -tvf - | awk '{print substr($1,1,1), $6, $7, $8}' | sort`);
    expect(tarList).toMatch(/^c \.\/etc\/[ab]  *$/m);
    expect(tarList).toMatch(/^- \.\/etc\/[ab] -> \.\/etc\/[ab]$/m);
    expect(tarList).toMatch(/^- \.\/dir\/z/m);
  });

  it('materialises whiteouts and opaque dirs from applets so a new overlay shows the same files', async () => {
    await sh(`set -e; mkdir -p ${base}/u2/etc ${base}/u2/dir; echo z > ${base}/u2/dir/z
      /sbin/layerlab-agent whiteout ${base}/u2/etc/a ${base}/u2/etc/b
      /sbin/layerlab-agent set-opaque ${base}/u2/dir`);
    const view = await inContainer('ls /etc; echo --; ls -R /dir', 'u2');
    expect(view).toBe('--\n/dir:\nz\n');
    expect(await inContainer('ls /etc; echo --; ls /dir', 'u3')).toBe('a\nb\n--\nsub\nx\n');
  });

  it('turns an extracted OCI layer (.wh. files) into an overlay layer dir', async () => {
    await sh(`set -e; rm -rf ${base}/oci; mkdir -p ${base}/oci/etc ${base}/oci/dir
      touch ${base}/oci/etc/.wh.a ${base}/oci/dir/.wh..wh..opq; echo z > ${base}/oci/dir/z
      /sbin/layerlab-agent oci-to-overlay ${base}/oci`);
    expect(await sh(`cd ${base}/oci && ls -la etc dir | grep -c '[.]wh[.]' || true`)).toBe('0\n');
    expect(await sh(`/sbin/layerlab-agent opaque-dirs ${base}/oci | tr '\\0' '\\n'; stat -c '%F %t %T' ${base}/oci/etc/a`)).toBe(
      'dir\ncharacter special file 0 0\n',
    );
    // used as the top lower layer, it hides what it deleted and what its opaque dir replaced
    const view = await sh('ls /etc; echo --; ls /dir', {
      root: `${base}/merged-oci`,
      overlay: { lower: [`${base}/oci`, `${base}/lower`], upper: `${base}/u-oci`, work: `${base}/w-oci` },
      namespaces: ['mnt'],
    });
    expect(view).toBe('b\n--\nz\n');
  });

  it('explains applet misuse', async () => {
    const r = await collect(await m.spawn({ argv: ['/sbin/layerlab-agent', 'frob'], stdinNull: true }));
    expect(r.status.code).toBe(2);
    expect(text(r.stderr)).toContain('usage: layerlab-agent');
  });
});
