/**
 * The machine's module Web Worker: runs v86 and the agent client off the page's thread and
 * speaks worker-protocol.ts with remote.ts. Output credit is returned only when the page says
 * it consumed the bytes, so a flood of output cannot pile up in the page.
 */
import { browserEnvironment } from './browser.ts';
import type { GuestProcess } from './types.ts';
import { V86Machine } from './v86-machine.ts';
import { toWire, type FromWorker, type ToWorker } from './worker-protocol.ts';

type Releasable = GuestProcess & { release(bytes: number): void };

const scope = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const post = (m: FromWorker, transfer?: Transferable[]) => scope.postMessage(m, transfer ?? []);
let machine: V86Machine | undefined;
const procs = new Map<number, Releasable>();

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.t) {
    case 'start': {
      try {
        machine = await V86Machine.start(browserEnvironment(msg.vmBase), {
          boot: msg.boot,
          onProgress: (progress) => post({ t: 'progress', progress }),
        });
        machine.onStatus((status) => post({ t: 'status', status }));
        post({ t: 'status', status: machine.status });
      } catch (err) {
        post({ t: 'startFailed', error: toWire(err) });
      }
      return;
    }
    case 'spawn': {
      try {
        if (!machine) throw new Error('the machine has not started');
        const proc = await machine.spawn(msg.spec, { manualCredit: true });
        procs.set(msg.id, proc);
        post({ t: 'started', id: msg.id, pid: proc.pid });
        const forward = (stream: 'stdout' | 'stderr') => (data: Uint8Array) => {
          const copy = data.slice();
          post({ t: 'out', id: msg.id, stream, data: copy }, [copy.buffer]);
        };
        proc.onStdout(forward('stdout'));
        proc.onStderr(forward('stderr'));
        proc.exit.then(
          (status) => post({ t: 'exit', id: msg.id, status }),
          (err) => post({ t: 'lost', id: msg.id, error: toWire(err) }),
        ).finally(() => procs.delete(msg.id));
      } catch (err) {
        post({ t: 'spawnFailed', id: msg.id, error: toWire(err) });
      }
      return;
    }
    case 'stdin':
      procs.get(msg.id)?.write(msg.data);
      return;
    case 'stdinEof':
      procs.get(msg.id)?.closeStdin();
      return;
    case 'signal':
      procs.get(msg.id)?.kill(msg.signal);
      return;
    case 'resize':
      procs.get(msg.id)?.resize(msg.rows, msg.cols);
      return;
    case 'consumed':
      procs.get(msg.id)?.release(msg.bytes);
      return;
    case 'writeFile':
    case 'readFile':
    case 'ping': {
      try {
        if (!machine) throw new Error('the machine has not started');
        if (msg.t === 'writeFile') {
          await machine.writeFile(msg.path, msg.data);
          post({ t: 'reply', req: msg.req, ok: true });
        } else if (msg.t === 'readFile') {
          // copy: the bytes may be a view into the 9p filesystem's own buffer
          const data = (await machine.readFile(msg.path)).slice();
          post({ t: 'reply', req: msg.req, ok: true, value: data }, [data.buffer]);
        } else {
          post({ t: 'reply', req: msg.req, ok: true, value: await machine.ping(msg.timeoutMs) });
        }
      } catch (err) {
        post({ t: 'reply', req: msg.req, ok: false, error: toWire(err) });
      }
      return;
    }
    case 'stop':
      await machine?.stop();
      return;
  }
}

scope.onmessage = (e) => {
  void handle(e.data);
};
