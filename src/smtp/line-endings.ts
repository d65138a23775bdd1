// Finds bare <LF> and bare <CR> in a DATA stream, chunk by chunk. They are how SMTP smuggling
// (CVE-2023-51764 and kin) works: a hop that takes `<LF>.<LF>` or `<CR>.<CR>` for the end of data
// ends the message early and reads the rest as new commands. sesd's parser only ends data at
// `<CR><LF>.<CR><LF>`, but the message may pass through servers that do not, so it is refused.
const CR = 0x0d;
const LF = 0x0a;

export class LineEndingCheck {
  /** True once a bare <CR> or <LF> was seen. */
  bare = false;
  private previous = -1;

  push(chunk: Buffer): void {
    if (this.bare || chunk.length === 0) return;
    if (this.previous === CR && chunk[0] !== LF) this.bare = true;
    for (let i = chunk.indexOf(LF); i >= 0 && !this.bare; i = chunk.indexOf(LF, i + 1)) {
      const before = i === 0 ? this.previous : chunk[i - 1];
      if (before !== CR) this.bare = true;
    }
    for (let i = chunk.indexOf(CR); i >= 0 && !this.bare; i = chunk.indexOf(CR, i + 1)) {
      if (i + 1 < chunk.length && chunk[i + 1] !== LF) this.bare = true;
    }
    this.previous = chunk[chunk.length - 1]!;
  }

  /** Call at the end of the data: a final <CR> has no <LF> after it. */
  end(): void {
    if (this.previous === CR) this.bare = true;
  }
}
