/**
 * Why a JPEG could not be decoded. Both are permanent: the same bytes fail the same way, so the
 * core records them rather than retrying.
 */
export class JpegDecodeError extends Error {
  constructor(message: string, readonly reason: "too-large" | "corrupt") {
    super(message);
    this.name = new.target.name;
  }
}

/** The header declares more pixels than allowed (decompression-bomb guard). */
export class JpegTooLargeError extends JpegDecodeError {
  constructor(readonly width: number, readonly height: number, readonly maxPixels: number) {
    super(
      `JPEG is ${width}×${height} = ${width * height} pixels, more than the limit of ${maxPixels} pixels (maxPixels); refused before decoding`,
      "too-large",
    );
  }
}

/** Not a JPEG, truncated, or corrupt beyond what the decoders accept. */
export class JpegCorruptError extends JpegDecodeError {
  constructor(detail: string) {
    super(detail, "corrupt");
  }
}

/** More scans than any real encoder writes: a CPU bomb (each scan re-walks the image). */
export class JpegTooManyScansError extends JpegDecodeError {
  constructor(readonly scans: number, readonly maxScans: number) {
    super(`JPEG has ${scans} scans, more than the limit of ${maxScans} (real encoders write at most a few dozen); refused before decoding`, "too-large");
  }
}
