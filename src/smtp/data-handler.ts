// smtp-server's onData for a listener that reads each message and answers it asynchronously, and
// keeps count of the messages being received: a listener's close() waits for them, so no message
// is left without its answer (and, for an accepted one, its commit) when sesd stops.
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

export interface DataHandler {
  onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, reply?: string) => void): void;
  /** Resolves once every message being received has been answered. */
  settled(): Promise<void>;
}

/** `receive` answers the reply text of the end of DATA, or throws the reply error. */
export function dataHandler(receive: (stream: SMTPServerDataStream, session: SMTPServerSession) => Promise<string>): DataHandler {
  const inFlight = new Set<Promise<unknown>>();
  return {
    onData(stream, session, callback) {
      const work = receive(stream, session).then(
        (reply) => callback(null, reply),
        (err: unknown) => callback(err as Error),
      );
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    },
    settled: async () => {
      await Promise.allSettled([...inFlight]);
    },
  };
}
