// The pause a poll loop (delivery worker, SES event and SNS dispatchers) takes between claims:
// `pollMs` at most, ended early by wake() when there is work to claim now (a freed slot, a
// Publish on this node) or the loop is stopping.
export class WakeablePause {
  private wakeUp: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Ends the current pause, if the loop is in one. */
  wake(): void {
    this.wakeUp?.();
  }
}
