/**
 * Decodes the first frame of a GIF onto its logical screen, transparent where the frame is
 * transparent or does not reach. Written here rather than taken from omggif because omggif's
 * LZW loop follows table chains that a corrupt code stream can turn into a cycle: two changed
 * bytes made it spin forever. This decoder is bounded by construction: every table entry's
 * prefix is an older entry (chains only get shorter), every code read consumes input bits, and
 * output stops at width × height (see LzwTable). Nothing after the first image descriptor is read, so later
 * frames and extension chains cost nothing.
 */
import { FailureReason } from "../../../contract/failureReasons";
import { PermanentError } from "./errors";
import { assertPixelLimit } from "./imageHeader";
import { LzwTable } from "./lzwTable";
import type { Bitmap } from "./orientation";

function corrupt(what: string): PermanentError {
  return new PermanentError(FailureReason.CorruptImage, `GIF data is invalid: ${what}`);
}

/** Reads the sub-block chain at `at` (length byte, bytes, …, 0); returns its data and the offset after it. */
function readSubBlocks(bytes: Uint8Array, at: number, what: string): { data: Uint8Array; end: number } {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (at >= bytes.length) throw corrupt(`the file ends inside the ${what} (truncated)`);
    const size = bytes[at++];
    if (size === 0) break;
    parts.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
    total += size;
    at += size;
  }
  if (parts.length === 1) return { data: parts[0], end: at };
  const data = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return { data, end: at };
}

/** Skips a sub-block chain without copying it; returns the offset after its terminator. */
function skipSubBlocks(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && bytes[at] !== 0) at += bytes[at] + 1;
  if (at >= bytes.length) throw corrupt("the file ends inside an extension block (truncated)");
  return at + 1;
}

/**
 * LZW-decodes `data` into `out` (palette indices); returns how many indices were written.
 * Codes are read least-significant bit first, as GIF stores them.
 */
export function decodeGifLzw(data: Uint8Array, minCodeSize: number, out: Uint8Array): number {
  if (!(minCodeSize >= 1 && minCodeSize <= 8)) throw corrupt(`LZW minimum code size ${minCodeSize} is outside 1–8`);
  const clearCode = 1 << minCodeSize;
  const endCode = clearCode + 1;
  const table = new LzwTable(clearCode, endCode + 1);
  let codeSize = minCodeSize + 1;
  let previous = -1;
  let written = 0;
  let bitBuffer = 0;
  let bitCount = 0;
  let at = 0;
  while (written < out.length) {
    while (bitCount < codeSize && at < data.length) {
      bitBuffer |= data[at++] << bitCount;
      bitCount += 8;
    }
    if (bitCount < codeSize) break; // Data ends without an end code: keep what was decoded, as browsers do.
    const code = bitBuffer & ((1 << codeSize) - 1);
    bitBuffer >>>= codeSize;
    bitCount -= codeSize;

    if (code === clearCode) {
      table.clear();
      codeSize = minCodeSize + 1;
      previous = -1;
      continue;
    }
    if (code === endCode) break;
    if (!table.accepts(code, previous)) {
      throw corrupt(`LZW code ${code} is not in the table (next free code ${table.nextCode}) at data byte ${at}`);
    }
    if (previous >= 0 && table.add(previous, code) && table.nextCode === 1 << codeSize && codeSize < 12) codeSize++;
    written = table.write(code, out, written);
    previous = code;
  }
  return written;
}

/** Row order of an interlaced frame: every 8th row from 0, every 8th from 4, every 4th from 2, every 2nd from 1. */
function interlacedRows(height: number): Uint32Array {
  const rows = new Uint32Array(height);
  let i = 0;
  for (const [start, step] of [
    [0, 8],
    [4, 8],
    [2, 4],
    [1, 2],
  ]) {
    for (let y = start; y < height; y += step) rows[i++] = y;
  }
  return rows;
}

export function decodeGif(bytes: Uint8Array, maxPixels: number): Bitmap {
  if (bytes.length < 13) throw corrupt("the file ends inside the header (truncated)");
  const screenWidth = bytes[6] | (bytes[7] << 8);
  const screenHeight = bytes[8] | (bytes[9] << 8);
  const screenFlags = bytes[10];
  let at = 13;
  let globalPalette: Uint8Array | undefined;
  if (screenFlags & 0x80) {
    const size = 3 * (2 << (screenFlags & 7));
    globalPalette = bytes.subarray(at, at + size);
    at += size;
  }
  let transparentIndex = -1;
  for (;;) {
    if (at >= bytes.length) throw corrupt("the file has no image (no image descriptor before the end)");
    const introducer = bytes[at];
    if (introducer === 0x3b) throw corrupt("the file has no image (trailer before any image descriptor)");
    if (introducer === 0x21) {
      const label = bytes[at + 1];
      // A Graphic Control Extension applies to the image that follows it; the last one wins.
      if (label === 0xf9 && bytes[at + 2] >= 4 && at + 7 < bytes.length) {
        transparentIndex = bytes[at + 3] & 1 ? bytes[at + 6] : -1;
      }
      at = skipSubBlocks(bytes, at + 2);
      continue;
    }
    if (introducer !== 0x2c) throw corrupt(`unknown block 0x${introducer.toString(16)} at byte ${at}`);
    break;
  }

  if (at + 10 > bytes.length) throw corrupt("the file ends inside the image descriptor (truncated)");
  const frameX = bytes[at + 1] | (bytes[at + 2] << 8);
  const frameY = bytes[at + 3] | (bytes[at + 4] << 8);
  const frameWidth = bytes[at + 5] | (bytes[at + 6] << 8);
  const frameHeight = bytes[at + 7] | (bytes[at + 8] << 8);
  const frameFlags = bytes[at + 9];
  at += 10;
  // A frame may declare itself larger than the logical screen; its index buffer is sized by the frame.
  assertPixelLimit({ format: "gif", width: frameWidth, height: frameHeight, orientation: 1 }, maxPixels);
  let palette = globalPalette;
  if (frameFlags & 0x80) {
    const size = 3 * (2 << (frameFlags & 7));
    palette = bytes.subarray(at, at + size);
    at += size;
  }
  if (!palette) throw corrupt("the first image has neither a local nor a global colour table");
  if (at >= bytes.length) throw corrupt("the file ends before the image data (truncated)");
  const minCodeSize = bytes[at];
  const { data } = readSubBlocks(bytes, at + 1, "image data");

  // Pixels the data does not reach stay index 0, as they did with omggif.
  const indices = new Uint8Array(frameWidth * frameHeight);
  decodeGifLzw(data, minCodeSize, indices);

  const rgba = Buffer.alloc(screenWidth * screenHeight * 4);
  const rowOrder = frameFlags & 0x40 ? interlacedRows(frameHeight) : undefined;
  const colours = palette.length / 3;
  const visibleWidth = Math.max(0, Math.min(frameWidth, screenWidth - frameX));
  for (let row = 0; row < frameHeight; row++) {
    const y = frameY + (rowOrder ? rowOrder[row] : row);
    if (y >= screenHeight) continue;
    let source = row * frameWidth;
    let target = (y * screenWidth + frameX) * 4;
    for (let x = 0; x < visibleWidth; x++, source++, target += 4) {
      const index = indices[source];
      if (index === transparentIndex) continue;
      // An index past the palette is drawn black, as omggif did.
      if (index < colours) {
        rgba[target] = palette[index * 3];
        rgba[target + 1] = palette[index * 3 + 1];
        rgba[target + 2] = palette[index * 3 + 2];
      }
      rgba[target + 3] = 0xff;
    }
  }
  return { width: screenWidth, height: screenHeight, data: rgba };
}
