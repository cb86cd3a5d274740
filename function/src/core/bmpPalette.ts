/**
 * bmp-ts sizes its palette array from the header's colours-used field before reading a byte
 * of it: a 40×28 BMP claiming 16 million colours cost 128 MiB and seconds (found by the
 * fuzzer, tools/fuzz). A palette must fit in the file, which bounds it by the upload's size.
 */
const FILE_HEADER_BYTES = 14;
const COLOURS_USED_OFFSET = 46;

export function assertBmpPaletteFits(bytes: Buffer): void {
  if (bytes.length < COLOURS_USED_OFFSET + 4) return; // the decoder reports the truncation itself
  const dibHeaderBytes = bytes.readUInt32LE(FILE_HEADER_BYTES);
  const colours = bytes.readUInt32LE(COLOURS_USED_OFFSET);
  const room = bytes.length - FILE_HEADER_BYTES - dibHeaderBytes;
  if (colours * 4 > room) {
    throw new Error(
      `the header's palette of ${colours} colours (${colours * 4} bytes) does not fit in the ${Math.max(0, room)} bytes after the headers`,
    );
  }
}
