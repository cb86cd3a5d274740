/**
 * The local stand-in for the function's on-failure destination (an SQS queue in AWS): an event
 * whose every attempt failed ends here as the record Lambda sends, with the original event in
 * requestPayload, the shape `npm run redrive` reads.
 */
import { randomUUID } from "crypto";
import type { DestinationRecord } from "../../tools/ops/redrive";

export class DeadLetterQueue {
  readonly messages: DestinationRecord[] = [];

  /** Records an event Lambda gave up on after `attempts` invocations, the last of which ended with `error`. */
  add(event: unknown, functionArn: string, attempts: number, error: string): DestinationRecord {
    const colon = error.indexOf(": ");
    const message: DestinationRecord = {
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: `${functionArn}:$LATEST`,
        condition: "RetriesExhausted",
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, functionError: "Unhandled" },
      responsePayload: colon > 0 ? { errorType: error.slice(0, colon), errorMessage: error.slice(colon + 2) } : { errorMessage: error },
    };
    this.messages.push(message);
    return message;
  }
}
