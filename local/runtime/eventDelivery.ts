/**
 * How events reach the function, as Lambda's asynchronous invocation does it: each event waits
 * in a queue for a container, runs, and when the invocation fails is retried (as often as the
 * stack's asyncMaxRetryAttempts; at once here, not after minutes) before it goes to the
 * dead-letter queue with its original event. Fault injection hooks in here: an event may be
 * delivered twice (S3 and Lambda are both at-least-once), and the queue may hand out events in
 * another order than they came (neither promises order).
 */
import type { DeliveryFaults } from "../faults/injector";
import type { DeadLetterQueue } from "./deadLetterQueue";
import type { InvocationResult, LambdaService } from "./lambdaService";

export interface Delivery {
  event: unknown;
  /** A second delivery of an event, injected by the `duplicate` fault. */
  duplicate: boolean;
  /** One entry per invocation, first to last. */
  attempts: InvocationResult[];
  /** Set when every attempt failed: the message the dead-letter queue got. */
  deadLettered: boolean;
}

export interface EventDeliveryOptions {
  functionArn: string;
  maximumRetryAttempts: number;
  /** Events run at once: the service's container limit. */
  concurrency: number;
  deadLetters: DeadLetterQueue;
  faults?: DeliveryFaults;
  /** Called after every invocation, duplicates' included (what CloudWatch would see of it). */
  onAttempt?: (attempt: InvocationResult, delivery: Delivery) => void;
  /** Called when a delivery is over, its duplicates' included. */
  onDelivered?: (delivery: Delivery) => void;
  /** Aborted: queued events are dropped and no attempt is retried. */
  signal?: AbortSignal;
}

interface Queued {
  delivery: Delivery;
  done: (delivery: Delivery) => void;
}

export class EventDelivery {
  private readonly queue: Queued[] = [];
  private running = 0;
  private readonly idle: Array<() => void> = [];

  constructor(
    private readonly lambda: Pick<LambdaService, "invoke">,
    private readonly options: EventDeliveryOptions,
  ) {}

  /** Queues an event; resolves when its (first) delivery is over. A duplicate runs on its own. */
  deliver(event: unknown): Promise<Delivery> {
    const first = new Promise<Delivery>((resolve) => this.enqueue({ event, duplicate: false, attempts: [], deadLettered: false }, resolve));
    if (this.options.faults?.duplicate()) this.enqueue({ event, duplicate: true, attempts: [], deadLettered: false }, () => undefined);
    return first;
  }

  /** Resolves when nothing is queued or running (duplicates included). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private enqueue(delivery: Delivery, done: (delivery: Delivery) => void): void {
    this.queue.push({ delivery, done });
    this.pump();
  }

  private pump(): void {
    if (this.options.signal?.aborted) {
      for (const dropped of this.queue.splice(0)) dropped.done(dropped.delivery);
    }
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const index = this.options.faults?.pick(this.queue.length) ?? 0;
      const [next] = this.queue.splice(index, 1);
      this.running++;
      void this.run(next.delivery).then(() => {
        this.running--;
        next.done(next.delivery);
        this.options.onDelivered?.(next.delivery);
        this.pump();
        if (this.queue.length === 0 && this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  private async run(delivery: Delivery): Promise<void> {
    const { signal } = this.options;
    let attempt: InvocationResult;
    do {
      try {
        attempt = await this.lambda.invoke(delivery.event);
      } catch (err) {
        // The service is shut down: nothing more to deliver.
        attempt = { durationMs: 0, error: (err as Error).message, output: "", maxRssBytes: 0, coldStart: false };
        delivery.attempts.push(attempt);
        return;
      }
      delivery.attempts.push(attempt);
      this.options.onAttempt?.(attempt, delivery);
    } while (attempt.error && delivery.attempts.length <= this.options.maximumRetryAttempts && !signal?.aborted);
    if (attempt.error && !signal?.aborted) {
      this.options.deadLetters.add(delivery.event, this.options.functionArn, delivery.attempts.length, attempt.error);
      delivery.deadLettered = true;
    }
  }
}
