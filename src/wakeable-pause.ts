// The pause a poll loop (delivery worker, SES event and SNS dispatchers) takes between claims:
// `pollMs` at most, ended early by wake() when there is work to claim now (a freed slot, a
// Publish on this node) or the loop is stopping. Several loops may share one (the event
// dispatcher's batches in flight): wake() ends every pause taken.
export class WakeablePause {
  private readonly wakers = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** Ends the current pauses, if loops are in one. */
  wake(): void {
    for (const done of [...this.wakers]) done();
  }
}
