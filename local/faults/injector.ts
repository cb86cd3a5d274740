/**
 * One run's faults: the proxies in front of the local servers, and the decisions the local
 * Lambda service and the event delivery ask for (crash this invocation? deliver this event
 * twice? which queued event next?). Every decision comes from a stream seeded by --seed.
 */
import type { Emulators } from "../emulators";
import { FaultCounts } from "./counts";
import { startFaultProxy, type FaultProxy } from "./proxy";
import { RandomStream } from "./random";
import { formatFaultSpec, type FaultSpec } from "./spec";

/** Longest time into an invocation at which an injected crash kills the container. */
export const CRASH_WITHIN_MS = 400;

/** What the event delivery asks of the faults. */
export interface DeliveryFaults {
  /** Whether this event is delivered a second time. */
  duplicate(): boolean;
  /** Which of the `queued` events waiting for a container goes next (0: the oldest). */
  pick(queued: number): number;
}

export class FaultInjector implements DeliveryFaults {
  readonly counts = new FaultCounts();
  private readonly crashes: RandomStream;
  private readonly crashTimes: RandomStream;
  private readonly duplicates: RandomStream;
  private readonly order: RandomStream;
  private proxies: FaultProxy[] = [];

  constructor(
    readonly spec: FaultSpec,
    readonly seed: number,
  ) {
    this.crashes = new RandomStream(seed, "crash");
    this.crashTimes = new RandomStream(seed, "crash:when");
    this.duplicates = new RandomStream(seed, "duplicate");
    this.order = new RandomStream(seed, "reorder");
  }

  /**
   * Starts a proxy in front of each local server and returns the SDK endpoint variables that
   * send the function's requests through them (the runner itself keeps talking to the servers).
   */
  async startProxies(emulators: Emulators): Promise<Record<string, string>> {
    const common = { spec: this.spec, seed: this.seed, counts: this.counts };
    const s3 = await startFaultProxy({ ...common, service: "s3", upstream: emulators.s3Endpoint });
    this.proxies.push(s3);
    const dynamodb = await startFaultProxy({ ...common, service: "dynamodb", upstream: emulators.dynamoEndpoint });
    this.proxies.push(dynamodb);
    return { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint };
  }

  /** Requests the proxies passed on or failed, per service. */
  get requests(): { s3: number; dynamodb: number } {
    return { s3: this.proxies[0]?.requests ?? 0, dynamodb: this.proxies[1]?.requests ?? 0 };
  }

  /** For the local Lambda service: ms into this invocation at which its container is killed, or undefined. */
  crash(): number | undefined {
    if (!this.crashes.chance(this.spec.shares.crash)) return undefined;
    this.counts.inject("crash");
    return Math.round(this.crashTimes.next() * CRASH_WITHIN_MS);
  }

  duplicate(): boolean {
    if (!this.duplicates.chance(this.spec.shares.duplicate)) return false;
    this.counts.inject("duplicate");
    return true;
  }

  pick(queued: number): number {
    if (!this.spec.reorder || queued < 2) return 0;
    const index = this.order.below(queued);
    // Counted when an event overtakes at least one that arrived before it.
    if (index > 0) this.counts.inject("reorder");
    return index;
  }

  describe(): string {
    return `${formatFaultSpec(this.spec)} (seed ${this.seed})`;
  }

  async close(): Promise<void> {
    await Promise.all(this.proxies.splice(0).map((proxy) => proxy.close()));
  }
}
