/**
 * S3 event sequencers: hexadecimal strings that grow with each event of one object key, the
 * only reliable order of a key's events (events arrive out of order, and event times tie).
 * S3's rule: sequencers of one key may differ in length; compare them as strings after
 * right-padding the shorter one with zeros. Sequencers of different keys mean nothing to each
 * other.
 */

/** Width every sequencer is padded to, so that DynamoDB's string comparison orders them. */
const ORDER_WIDTH = 64;

/**
 * The sequencer in a form where plain string comparison is S3's order (upper-case, right-padded
 * with zeros). Throws, naming the value and the rule, for anything that is not hexadecimal.
 */
export function sequencerOrder(sequencer: string): string {
  if (!/^[0-9A-Fa-f]{1,64}$/.test(sequencer)) {
    throw new Error(`sequencer "${sequencer}" is not a sequencer S3 sends: 1 to ${ORDER_WIDTH} hexadecimal digits`);
  }
  return sequencer.toUpperCase().padEnd(ORDER_WIDTH, "0");
}

/** Negative when `a` is the earlier event of the key, positive when it is the later, 0 when they are the same event. */
export function compareSequencers(a: string, b: string): number {
  const x = sequencerOrder(a);
  const y = sequencerOrder(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A sequencer that orders after `sequencer` and before every later event S3 sends for the
 * key: `sequencer` with a "1" appended (right-padding puts it after `sequencer`, and a later
 * S3 sequencer of the same length differs from `sequencer` within its length, so it is greater
 * still). With no sequencer, "0", before everything. `npm run backfill` gives its events these,
 * so a reprocessed upload replaces the one it reprocesses and is itself replaced or deleted
 * by whatever S3 reports afterwards.
 */
export function sequencerJustAfter(sequencer: string | undefined): string {
  if (!sequencer) return "0";
  const next = `${sequencer}1`;
  sequencerOrder(next);
  return next;
}
