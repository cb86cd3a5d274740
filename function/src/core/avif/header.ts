/**
 * An AVIF file's header: the primary image's size (its `ispe`, or a grid's output size) and
 * orientation (its `irot`/`imir`), read before libavif runs. A primary image coded as anything
 * but AV1 (a grid of AV1 tiles included) is refused as UnsupportedFormat naming the coding, as
 * libavif would only fail on it later, less clearly.
 */
import { AVIF_DECODE_BYTES_PER_PIXEL } from "../../../../contract/decodeLimits";
import { FailureReason } from "../../../../contract/failureReasons";
import { PermanentError } from "../errors";
import { codingName } from "../heif/codecs";
import { readHeifPrimary, type HeifPrimary } from "../heif/items";
import { orientationOf } from "../heif/orientation";

export interface AvifHeader {
  width: number;
  height: number;
  orientation: number;
  /** What its full-size decode costs (contract/decodeLimits.ts): the pixel limit is scaled by it. */
  decodeBytesPerPixel: number;
  primary: HeifPrimary;
}

/**
 * 8-bit 4:2:0 (or monochrome) without auxiliary images is the cheap class; anything else, or an
 * `av1C` that cannot be read, the dear one. The AV1 data could still disagree with its `av1C`:
 * then the decode backstop's memory bound stops it (DecodeTooLarge).
 */
function decodeCost(primary: HeifPrimary): number {
  const av1C = primary.config?.type === "av1C" ? primary.config.bytes : undefined;
  // av1C byte 2: tier, high_bitdepth, twelve_bit, monochrome, subsampling_x, subsampling_y, position (2 bits).
  const flags = av1C && av1C.length >= 4 ? av1C[2] : undefined;
  const eightBit = flags !== undefined && (flags & 0x40) === 0;
  const subsampled = flags !== undefined && ((flags & 0x10) !== 0 || (flags & 0x0c) === 0x0c);
  const opaque = !primary.otherSizes.some((s) => s.kind === "auxiliary");
  return eightBit && subsampled && opaque ? AVIF_DECODE_BYTES_PER_PIXEL.eightBit420Opaque : AVIF_DECODE_BYTES_PER_PIXEL.other;
}

export function readAvifHeader(bytes: Uint8Array): AvifHeader {
  const primary = readHeifPrimary(bytes);
  const coding = primary.grid ? primary.grid.tileType : primary.itemType;
  if (coding !== "av01") {
    const what = primary.grid ? `a grid of ${codingName(coding)} tiles` : `coded as ${codingName(coding)}`;
    throw new PermanentError(FailureReason.UnsupportedFormat, `AVIF primary image is ${what}; only AV1 ('av01') is decoded`);
  }
  return {
    width: primary.width,
    height: primary.height,
    orientation: orientationOf(primary.transforms),
    decodeBytesPerPixel: decodeCost(primary),
    primary,
  };
}
