/** How many faults of each kind were injected in a run: what the run's report and the soak audit show. */
import { FAULT_KIND_NAMES, type FaultKind } from "./spec";

export class FaultCounts {
  private readonly counts = Object.fromEntries(FAULT_KIND_NAMES.map((kind) => [kind, 0])) as Record<FaultKind, number>;

  inject(kind: FaultKind): void {
    this.counts[kind]++;
  }

  get(kind: FaultKind): number {
    return this.counts[kind];
  }

  /** Every kind, including the ones never injected (0). */
  toJSON(): Record<FaultKind, number> {
    return { ...this.counts };
  }

  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}
