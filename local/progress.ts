/** A one-line progress bar on stderr, redrawn in place; silent when disabled. */
export class ProgressBar {
  private done = 0;
  private failed = 0;
  private total = 0;
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  expect(more: number): void {
    this.total += more;
    this.draw(true);
  }

  tick(failed: boolean): void {
    this.done++;
    if (failed) this.failed++;
    this.draw(this.done === this.total);
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    const width = 30;
    const filled = this.total ? Math.round((this.done / this.total) * width) : 0;
    const rate = this.done / Math.max(0.001, (now - this.started) / 1000);
    const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.done}/${this.total} images, ${this.failed} failed, ${rate.toFixed(1)}/s`;
    this.stream.write(`\r${line}\x1b[K`);
  }

  /** Ends the bar's line so later output starts on a fresh one. */
  finish(): void {
    if (this.enabled && this.total > 0) this.stream.write("\n");
    this.total = 0;
    this.done = 0;
    this.failed = 0;
  }
}
