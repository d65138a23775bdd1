// Sockets for nodemailer's pool with Nagle's algorithm off. nodemailer writes the end of DATA as
// a small separate segment; with Nagle on it waits for the receiver's delayed ACK (40 ms on Linux),
// which capped a connection at about 20 messages a second. nodemailer's `getSocket` hook takes an
// already connected socket, so the connection is made here; `onConnect` learns each connection's
// local address (the source address the system chose for that destination: SES's outgoing IP).
import net from 'node:net';

type SocketCallback = (err: Error | null, socketOptions?: { connection: net.Socket }) => void;
type SocketOptions = { host?: string; port?: number; connectionTimeout?: number };

/** nodemailer's `getSocket` for a pool, telling `onConnect` the local address of each connection it makes. */
export function noDelaySockets(onConnect: (localAddress: string) => void): (options: SocketOptions, callback: SocketCallback) => void {
  return (options, callback) => noDelaySocket(options, callback, onConnect);
}

function noDelaySocket(options: SocketOptions, callback: SocketCallback, onConnect: (localAddress: string) => void): void {
  const socket = net.connect({ host: options.host ?? 'localhost', port: options.port ?? 25, noDelay: true });
  const fail = (err: Error) => {
    clearTimeout(timer);
    socket.destroy();
    callback(Object.assign(err, { code: (err as NodeJS.ErrnoException).code ?? 'ECONNECTION' }));
  };
  const timer = setTimeout(() => fail(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })), options.connectionTimeout ?? 30_000);
  socket.once('error', fail);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.removeListener('error', fail);
    if (socket.localAddress) onConnect(socket.localAddress);
    callback(null, { connection: socket });
  });
}
