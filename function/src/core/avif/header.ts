/**
 * An AVIF file's header: the primary image's size (its `ispe`, or a grid's output size) and
 * orientation (its `irot`/`imir`), read before libavif runs. A primary image coded as anything
 * but AV1 (a grid of AV1 tiles included) is refused as UnsupportedFormat naming the coding, as
 * libavif would only fail on it later, less clearly.
 */
import { FailureReason } from "../../../../contract/failureReasons";
import { PermanentError } from "../errors";
import { codingName } from "../heif/codecs";
import { readHeifPrimary, type HeifPrimary } from "../heif/items";
import { orientationOf } from "../heif/orientation";

export interface AvifHeader {
  width: number;
  height: number;
  orientation: number;
  primary: HeifPrimary;
}

export function readAvifHeader(bytes: Uint8Array): AvifHeader {
  const primary = readHeifPrimary(bytes);
  const coding = primary.grid ? primary.grid.tileType : primary.itemType;
  if (coding !== "av01") {
    const what = primary.grid ? `a grid of ${codingName(coding)} tiles` : `coded as ${codingName(coding)}`;
    throw new PermanentError(FailureReason.UnsupportedFormat, `AVIF primary image is ${what}; only AV1 ('av01') is decoded`);
  }
  return { width: primary.width, height: primary.height, orientation: orientationOf(primary.transforms), primary };
}
