/**
 * A striped TIFF straight to the largest thumbnail, one strip at a time: each strip is handed
 * to utif2 as if it were a whole image of that many rows, converted to RGBA and added to the box
 * shrinker, so neither utif2's raw buffer nor its RGBA copy is ever full-size. Strips are
 * compressed independently and the predictor works within a row, so a strip decodes alone.
 *
 * Only what decodes the same strip by strip takes this path: strips (not tiles), one plane,
 * integer samples of at most 16 bits (utif2 rescales float images by their whole-image range),
 * and the codecs that need nothing outside the strip (none, LZW, Deflate, PackBits). The rest
 * keeps the full-size path.
 */
import type UtifType from "utif2";
import { BoxShrinker } from "./boxShrink";
import type { TiffLayout, TiffPage } from "./tiffDirectory";
import { decodeTiffLzw } from "./tiffLzw";
import type { DecodedImage } from "./decoders";

const STRIP_CODECS = new Set([1, 5, 8, 32946, 32773]);
const TIFF_HEADER_BYTES = 8;

export function decodesByStrip(page: TiffPage, layout: TiffLayout): boolean {
  const sampleFormat = (page.t339 as number[] | undefined)?.[0] ?? 1;
  return !layout.tiled && layout.planes === 1 && layout.bitsPerSample <= 16 && sampleFormat !== 3 && STRIP_CODECS.has(layout.compression);
}

export function shrinkTiffByStrip(
  bytes: Uint8Array,
  page: TiffPage,
  layout: TiffLayout,
  targetWidth: number,
  targetHeight: number,
): DecodedImage {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: evaluated only when an image of this format arrives (cold start)
  const UTIF = require("utif2") as typeof UtifType;
  const { width, height, compression, unitHeight, offsets, byteCounts, unitBytes } = layout;
  const rowBytes = unitBytes / unitHeight;
  const shrinker = new BoxShrinker(width, height, targetWidth, targetHeight);
  // Uncompressed and LZW strips are laid out here, after the file's header (utif2 reads the byte
  // order from it), and given to utif2 as uncompressed: the same bytes the full-size path hands it.
  const ownStrip = compression === 1 || compression === 5;
  const strip = ownStrip ? new Uint8Array(TIFF_HEADER_BYTES + unitBytes) : undefined;
  strip?.set(bytes.subarray(0, TIFF_HEADER_BYTES));
  const file = ownStrip ? undefined : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  let transparent = false;

  for (let i = 0; i * unitHeight < height; i++) {
    const rows = Math.min(unitHeight, height - i * unitHeight);
    const ifd: TiffPage = { ...page, t257: [rows], t278: [rows] };
    delete ifd.data;
    if (strip) {
      const body = strip.subarray(TIFF_HEADER_BYTES);
      body.fill(0);
      const source = bytes.subarray(offsets[i], offsets[i] + byteCounts[i]);
      if (compression === 5) decodeTiffLzw(source, body, `strip ${i}`);
      else body.set(source.subarray(0, unitBytes));
      Object.assign(ifd, { t259: [1], t273: [TIFF_HEADER_BYTES], t279: [rows * rowBytes] });
      UTIF.decodeImage(strip.buffer, ifd as unknown as UtifType.IFD);
    } else {
      Object.assign(ifd, { t273: [offsets[i]], t279: [byteCounts[i]] });
      UTIF.decodeImage(file as ArrayBuffer, ifd as unknown as UtifType.IFD);
    }
    const rgba = UTIF.toRGBA8(ifd as unknown as UtifType.IFD);
    let opaque = true;
    for (let a = 3; a < rgba.length; a += 4) {
      if (rgba[a] !== 255) {
        opaque = false;
        break;
      }
    }
    transparent ||= !opaque;
    for (let r = 0; r < rows; r++) shrinker.addRow(rgba.subarray(r * width * 4, (r + 1) * width * 4), 4, opaque);
  }
  return { ...shrinker.result(), transparent };
}
