/**
 * Seeded pseudo-random numbers for fault injection: the same seed gives the same decisions, so a
 * run that found something can be run again. Each kind of decision draws from its own stream
 * (named), so turning one fault kind on or off does not move another kind's decisions.
 */
import { createHash } from "crypto";

/** mulberry32: small, fast and statistically adequate for picking faults (not for cryptography). */
export class RandomStream {
  private state: number;

  constructor(seed: number, name: string) {
    // The stream's starting state mixes the run's seed with its name.
    this.state = createHash("sha256").update(`${seed}:${name}`).digest().readUInt32LE(0);
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** True with probability `share`. */
  chance(share: number): boolean {
    // A share of 0 never draws, so a kind that is off consumes nothing.
    return share > 0 && this.next() < share;
  }

  /** A whole number in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
