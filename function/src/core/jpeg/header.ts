/**
 * Reads a JPEG's frame size from its SOF marker without decoding anything, so the
 * decompression-bomb guard runs before either decoder allocates a pixel.
 */
export interface JpegFrameSize {
  width: number;
  height: number;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

function isStartOfFrame(marker: number): boolean {
  // SOF0–SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range.
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

/** The frame size, or undefined when the bytes are not a JPEG or end before the SOF marker. */
export function readJpegFrameSize(bytes: Uint8Array): JpegFrameSize | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) return undefined;
  let i = 2;
  while (i + 1 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    let marker = bytes[i + 1];
    i += 2;
    // Any number of 0xFF fill bytes may precede a marker.
    while (marker === 0xff && i < bytes.length) marker = bytes[i++];
    if (isStandalone(marker)) continue;
    if (marker === EOI || marker === SOS || i + 2 > bytes.length) return undefined;
    const length = (bytes[i] << 8) | bytes[i + 1];
    if (isStartOfFrame(marker)) {
      if (i + 7 > bytes.length) return undefined;
      const height = (bytes[i + 3] << 8) | bytes[i + 4];
      const width = (bytes[i + 5] << 8) | bytes[i + 6];
      return { width, height };
    }
    if (length < 2) return undefined;
    i += length;
  }
  return undefined;
}

const SCAN_MARKER = Buffer.from([0xff, SOS]);

/**
 * Number of scans (SOS markers). 0xFF 0xDA cannot occur inside entropy-coded data (0xFF is
 * stuffed there), so counting the byte pair is exact. A progressive JPEG normally has ≤ 20
 * scans; a crafted one with thousands makes the decoder re-walk the image each time.
 */
export function countJpegScans(bytes: Uint8Array): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  for (let at = buffer.indexOf(SCAN_MARKER); at >= 0; at = buffer.indexOf(SCAN_MARKER, at + 2)) count++;
  return count;
}
