/**
 * TIFF's LZW (compression 5), decoded here rather than by utif2: utif2 walks table chains that
 * a corrupt strip can turn into a cycle (random 300-byte strips hung it within 15 tries). As in
 * the GIF decoder, each entry's prefix is an older entry, every code consumes input bits and
 * output stops when `out` is full, so the work is bounded by input and output size.
 * TIFF differs from GIF in reading codes most-significant bit first and widening the code one
 * entry early ("early change"), as libtiff does.
 */
import { FailureReason, PermanentError } from "./errors";

const CLEAR = 256;
const END = 257;
const MAX_CODES = 4096;

/** Decodes one LZW strip or tile into `out`; returns the number of bytes written. */
export function decodeTiffLzw(data: Uint8Array, out: Uint8Array, name: string): number {
  const prefix = new Uint16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const first = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  for (let code = 0; code < 256; code++) {
    suffix[code] = code;
    first[code] = code;
    length[code] = 1;
  }
  let codeSize = 9;
  let nextCode = END + 1;
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
      codeSize = 9;
      nextCode = END + 1;
      previous = -1;
      continue;
    }
    if (code === END) break;
    if (code > nextCode || (code === nextCode && previous < 0)) {
      throw new PermanentError(FailureReason.CorruptImage, `TIFF ${name} is invalid: LZW code ${code} is not in the table (next free code ${nextCode}) at byte ${at} of its data`);
    }
    if (previous >= 0 && nextCode < MAX_CODES) {
      prefix[nextCode] = previous;
      suffix[nextCode] = code === nextCode ? first[previous] : first[code];
      first[nextCode] = first[previous];
      length[nextCode] = length[previous] + 1;
      nextCode++;
      if (nextCode + 1 === 1 << codeSize && codeSize < 12) codeSize++;
    }
    const stringLength = length[code];
    let position = written + stringLength - 1;
    let chain = code;
    for (let step = 0; step < stringLength; step++) {
      if (position < out.length) out[position] = suffix[chain];
      position--;
      chain = prefix[chain];
    }
    written = Math.min(out.length, written + stringLength);
    previous = code;
  }
  return written;
}
