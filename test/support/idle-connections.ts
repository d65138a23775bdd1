// Connections that never say a word, from a chosen loopback address (Linux routes all of
// 127.0.0.0/8 to lo), for flood tests that need many client addresses.
import net from 'node:net';

export interface IdleSocket {
  /** Everything the server sent. */
  received: () => string;
  closed: Promise<void>;
  destroy(): void;
}

/** Opens a connection to `url`'s host and port from `localAddress` and sends nothing. */
export function idleConnection(url: string, localAddress: string): Promise<IdleSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), localAddress });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ received: () => text, closed, destroy: () => socket.destroy() }));
    socket.once('error', reject);
  });
}

/** `perAddress` idle connections from each address. */
export async function idleFlood(url: string, addresses: string[], perAddress: number): Promise<IdleSocket[]> {
  const out: IdleSocket[] = [];
  for (const address of addresses) out.push(...(await Promise.all(Array.from({ length: perAddress }, () => idleConnection(url, address)))));
  return out;
}
