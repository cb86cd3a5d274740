/**
 * What the decoder specs (WebP, AVIF, HEIC, the decode backstop) share: reading fixtures,
 * decoding them through the core, comparing bitmaps, and matching typed failures.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PNG } from "pngjs";
import type { FailureReason } from "../../../contract/failureReasons";
import { decodeBitmap } from "../../../function/src/core/decoders";
import { PermanentError } from "../../../function/src/core/errors";
import { readHeader } from "../../../function/src/core/imageHeader";
import type { Bitmap } from "../../../function/src/core/orientation";

/** Fixtures of one format (tests/function/fixtures/<folder>), decoded by the core or read as reference PNGs. */
export function fixtures(folder: string, maxPixels: number) {
  const dir = path.join(__dirname, "..", "fixtures", folder);
  const fixture = (name: string) => fs.readFileSync(path.join(dir, name));
  return {
    fixture,
    decode: (bytes: Buffer): Bitmap => decodeBitmap(bytes, readHeader(bytes), { minWidth: 1, minHeight: 1, maxPixels }),
    png(name: string): Bitmap {
      const image = PNG.sync.read(fixture(name));
      return { width: image.width, height: image.height, data: image.data };
    },
  };
}

/** Per-channel differences of two bitmaps of one size; colour only where both pixels are visible. */
function differences(a: Bitmap, b: Bitmap): number[] {
  assert.deepStrictEqual([a.width, a.height], [b.width, b.height], "sizes differ");
  const out: number[] = [];
  for (let i = 0; i < a.width * a.height * 4; i += 4) {
    const visible = a.data[i + 3] > 0 && b.data[i + 3] > 0;
    for (let k = visible ? 0 : 3; k < 4; k++) out.push(Math.abs(a.data[i + k] - b.data[i + k]));
  }
  return out;
}

/** Largest channel difference (colour only where both are visible). */
export function maxDifference(a: Bitmap, b: Bitmap): number {
  return differences(a, b).reduce((max, d) => Math.max(max, d), 0);
}

/** Mean channel difference over every channel of every pixel (colour only where both are visible): for lossy codecs that blur hard edges. */
export function meanDifference(a: Bitmap, b: Bitmap): number {
  return differences(a, b).reduce((sum, d) => sum + d, 0) / (a.width * a.height * 4);
}

/** An assert.rejects/throws matcher: a PermanentError with this reason and a message matching `message`. */
export function failsWith(reason: FailureReason, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof PermanentError, `expected a PermanentError, got ${String(err)}`);
    assert.strictEqual(err.reason, reason, err.message);
    assert.match(err.message, message);
    return true;
  };
}
