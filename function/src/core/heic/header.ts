/**
 * A HEIC file's header: the primary image's size and the size libheif will return, read before
 * libheif runs. libheif applies the primary item's transformations itself (`clap`, `irot`,
 * `imir`, in their associated order), so the displayed size is computed here the way it crops
 * and turns, and the orientation is 1: neither the transformations nor the file's EXIF
 * orientation (which iPhones also write, matching the `irot`) may be applied again.
 */
import { FailureReason } from "../../../../contract/failureReasons";
import { PermanentError } from "../errors";
import { codingName } from "../heif/codecs";
import { BoxError } from "../heif/boxes";
import { readHeifPrimary, type Fraction, type HeifPrimary, type Size, type Transform } from "../heif/items";

export interface HeicHeader {
  /** Stored size (ispe, or a grid's output): what the pixel limit is checked against. */
  stored: Size;
  /** The size libheif returns, transformations applied. */
  width: number;
  height: number;
  primary: HeifPrimary;
}

const HEVC = new Set(["hvc1", "hev1"]);

/** One side of a clean aperture, rounded and clamped as libheif crops (box.cc, Box_clap). */
function apertureSide(size: number, [apN, apD]: Fraction, [offN, offD]: Fraction, side: string): number {
  const aperture = apN / apD;
  // first = offset + (size − 1)/2 − (aperture − 1)/2, rounded down; last = aperture − 1 + first, rounded.
  const first = Math.trunc(offN / offD + (size - 1) / 2 - (aperture - 1) / 2);
  const last = Math.trunc(aperture - 1 + first + 0.5);
  const from = Math.max(0, first);
  const to = Math.min(size - 1, last);
  if (!(from <= to)) throw new BoxError(`the clean aperture (clap) leaves no ${side} of the ${size}-pixel image`);
  return to - from + 1;
}

function displayedSize(stored: Size, transforms: readonly Transform[]): Size {
  let { width, height } = stored;
  for (const t of transforms) {
    if (t.kind === "clap") {
      [width, height] = [
        apertureSide(width, t.width, t.horizontalOffset, "column"),
        apertureSide(height, t.height, t.verticalOffset, "row"),
      ];
    } else if (t.kind === "irot" && t.quarterTurnsAnticlockwise % 2 === 1) {
      [width, height] = [height, width];
    }
  }
  return { width, height };
}

export function readHeicHeader(bytes: Uint8Array): HeicHeader {
  const primary = readHeifPrimary(bytes);
  const coding = primary.grid ? primary.grid.tileType : primary.itemType;
  if (!HEVC.has(coding)) {
    const what = primary.grid ? `a grid of ${codingName(coding)} tiles` : `coded as ${codingName(coding)}`;
    throw new PermanentError(FailureReason.UnsupportedFormat, `HEIC primary image is ${what}; only HEVC ('hvc1', 'hev1') is decoded`);
  }
  const stored = { width: primary.width, height: primary.height };
  return { stored, ...displayedSize(stored, primary.transforms), primary };
}
