import { describe, expect, it } from 'vitest';
import { runDocker } from './run.ts';
import { captureIO, FakeEngine } from './testkit.ts';

async function docker(argv: string[]) {
  const cap = captureIO();
  const code = await runDocker(argv, cap.io, new FakeEngine());
  return { code, out: cap.out(), err: cap.err() };
}

describe('docker context', () => {
  it('lists the one context, marked current, as docker/cli lays it out', async () => {
    const r = await docker(['context', 'ls']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'NAME         DESCRIPTION                                        DOCKER ENDPOINT    ERROR\n' +
        "layerlab *   LayerLab's engine on its own Linux machine (v86)   layerlab://local   \n",
    );
    expect((await docker(['context', 'ls', '-q'])).out).toBe('layerlab\n');
    expect((await docker(['context', 'ls', '--format', '{{.Name}} {{.Current}}'])).out).toBe('layerlab true\n');
  });

  it('shows and uses it; another is refused with why', async () => {
    expect(await docker(['context', 'show'])).toMatchObject({ code: 0, out: 'layerlab\n' });
    expect(await docker(['context', 'use', 'layerlab'])).toMatchObject({
      code: 0,
      out: 'layerlab\n',
      err: 'Current context is now "layerlab"\n',
    });
    expect(await docker(['context', 'use', 'prod'])).toMatchObject({ code: 1, err: 'context "prod" does not exist\n' });
    expect(await docker(['context', 'create', 'prod'])).toMatchObject({
      code: 1,
      err: 'LayerLab has one context, layerlab: its engine cannot reach other Docker engines\n',
    });
  });
});
