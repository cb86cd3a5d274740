/**
 * ISO base media file format boxes (ISO/IEC 14496-12), as HEIF and AVIF use them: read from a
 * byte range without trusting any size field, so a box that runs past its parent or the file is
 * reported, never read past.
 */

/** The box structure is malformed; the message says where and how. */
export class BoxError extends Error {
  override readonly name = "BoxError";
}

export interface Box {
  type: string;
  /** Offset of the box header. */
  start: number;
  /** Offset of the payload (after size, type and any 64-bit size). */
  payload: number;
  end: number;
}

export function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

export function uint16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

export function uint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** An unsigned big-endian integer of 0, 1, 2, 4 or 8 bytes (iloc's variable-size fields); above 2^53 is refused. */
export function uintN(bytes: Uint8Array, at: number, size: number, what: string): number {
  if (size === 0) return 0;
  if (size === 1) return bytes[at];
  if (size === 2) return uint16(bytes, at);
  if (size === 4) return uint32(bytes, at);
  if (size === 8) {
    const high = uint32(bytes, at);
    if (high >= 2 ** 21) throw new BoxError(`${what} is larger than 2^53`);
    return high * 2 ** 32 + uint32(bytes, at + 4);
  }
  throw new BoxError(`${what} has a field size of ${size} bytes; only 0, 1, 2, 4 and 8 are defined`);
}

/** The boxes between start and end, in order; `where` names the parent in errors. */
export function boxesIn(bytes: Uint8Array, start: number, end: number, where: string): Box[] {
  const boxes: Box[] = [];
  let at = start;
  while (at < end) {
    if (end - at < 8) throw new BoxError(`${where} ends ${end - at} bytes into a box header at byte ${at} (truncated)`);
    let size = uint32(bytes, at);
    const type = fourcc(bytes, at + 4);
    let payload = at + 8;
    if (size === 1) {
      if (end - at < 16) throw new BoxError(`box "${type}" at byte ${at} is cut inside its 64-bit size (truncated)`);
      size = uintN(bytes, at + 8, 8, `the size of box "${type}" at byte ${at}`);
      payload = at + 16;
    } else if (size === 0) {
      // "Extends to the end of the file": only the last top-level box may say so.
      size = end - at;
    }
    if (size < payload - at) throw new BoxError(`box "${type}" at byte ${at} declares ${size} bytes, less than its own header`);
    if (size > end - at) {
      throw new BoxError(
        `box "${type}" at byte ${at} declares ${size} bytes but only ${end - at} remain in ${where} (truncated, or the size lies)`,
      );
    }
    boxes.push({ type, start: at, payload, end: at + size });
    at += size;
  }
  return boxes;
}

/** The payload of a FullBox, past its version and flags. */
export function fullBox(bytes: Uint8Array, box: Box): { version: number; flags: number; body: number } {
  if (box.end - box.payload < 4) throw new BoxError(`box "${box.type}" at byte ${box.start} is too short for its version and flags`);
  const flags = (bytes[box.payload + 1] << 16) | (bytes[box.payload + 2] << 8) | bytes[box.payload + 3];
  return { version: bytes[box.payload], flags, body: box.payload + 4 };
}

/** Throws unless `count` more bytes from `at` lie inside the box. */
export function need(box: Box, at: number, count: number, what: string): void {
  if (at + count > box.end) throw new BoxError(`box "${box.type}" at byte ${box.start} ends inside its ${what} (truncated)`);
}
