// capture mode: the message is already stored and visible in /_aws/ses; nothing leaves the machine.
import type { Transport } from './transport.js';

export const CAPTURED_REPLY = '250 captured';

export function captureTransport(): Transport {
  return {
    name: 'capture',
    send: async (message) => message.to.map((recipient) => ({ recipient, kind: 'accepted' as const, reply: CAPTURED_REPLY })),
    close: async () => undefined,
  };
}
