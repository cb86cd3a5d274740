/**
 * TIFF's LZW (compression 5), decoded here rather than by utif2: utif2 keeps its code table
 * across calls and walks its chains unbounded, so a corrupt strip can make it loop forever.
 * With LzwTable every code consumes input bits and output stops when `out` is full, so the
 * work is bounded by input and output size.
 * TIFF differs from GIF in reading codes most-significant bit first and widening the code one
 * entry early ("early change"), as libtiff does.
 */
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError } from "./errors";
import { LzwTable } from "./lzwTable";

const CLEAR = 256;
const END = 257;

/** Decodes one LZW strip or tile into `out`; returns the number of bytes written. */
export function decodeTiffLzw(data: Uint8Array, out: Uint8Array, name: string): number {
  const table = new LzwTable(256, END + 1);
  let codeSize = 9;
  let previous = -1;
  let written = 0;
  let bitBuffer = 0;
  let bitCount = 0;
  let at = 0;
  while (written < out.length) {
    while (bitCount < codeSize && at < data.length) {
      bitBuffer = ((bitBuffer << 8) | data[at++]) & 0xffffff;
      bitCount += 8;
    }
    if (bitCount < codeSize) break;
    const code = (bitBuffer >>> (bitCount - codeSize)) & ((1 << codeSize) - 1);
    bitCount -= codeSize;

    if (code === CLEAR) {
      table.clear();
      codeSize = 9;
      previous = -1;
      continue;
    }
    if (code === END) break;
    if (!table.accepts(code, previous)) {
      throw new PermanentError(
        FailureReason.CorruptImage,
        `TIFF ${name} is invalid: LZW code ${code} is not in the table (next free code ${table.nextCode}) at byte ${at} of its data`,
      );
    }
    // "Early change": the width grows one entry before the table needs it.
    if (previous >= 0 && table.add(previous, code) && table.nextCode + 1 === 1 << codeSize && codeSize < 12) codeSize++;
    written = table.write(code, out, written);
    previous = code;
  }
  return written;
}
