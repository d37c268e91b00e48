/**
 * Published ports for the Node CLI: while `npx layerlab docker run -p 8080:80 …` runs, the host's
 * 127.0.0.1:8080 relays each TCP connection to the container's port through the guest agent, so
 * `curl http://127.0.0.1:8080/` on this computer reaches the container.
 */
import { createServer, type Server } from 'node:net';
import type { AttachedProcess } from '../src/engine/api.ts';
import type { PublishedPort } from '../src/engine/cli/io.ts';

/** Listens on each published port (127.0.0.1 only); returns what stops listening. */
export async function publishOnHost(
  ports: PublishedPort[],
  dial: (containerPort: number) => Promise<AttachedProcess>,
  warn: (text: string) => void,
): Promise<() => void> {
  const servers: Server[] = [];
  for (const p of ports) {
    const server = createServer((socket) => {
      socket.pause();
      dial(p.containerPort).then(
        (conn) => {
          conn.onStdout((d) => void socket.write(d));
          socket.on('data', (d: Buffer) => conn.write(new Uint8Array(d)));
          socket.on('end', () => conn.closeStdin());
          socket.on('error', () => conn.kill());
          void conn.exit.then(() => socket.end());
          socket.resume();
        },
        (err: Error) => {
          warn(`LayerLab: 127.0.0.1:${p.hostPort}: ${err.message}\n`);
          socket.destroy();
        },
      );
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(p.hostPort, '127.0.0.1', () => resolve());
      });
      servers.push(server);
    } catch (err) {
      warn(
        `LayerLab: cannot listen on 127.0.0.1:${p.hostPort} on this computer (${(err as Error).message}); the container's port ${p.containerPort} is not reachable from it\n`,
      );
    }
  }
  return () => {
    for (const s of servers) s.close();
  };
}
