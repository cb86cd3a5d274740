/**
 * Why a JPEG could not be decoded. Both are permanent: the same bytes fail the same way, so the
 * core records them rather than retrying.
 */
export class JpegDecodeError extends Error {
  constructor(
    message: string,
    readonly reason: "too-large" | "too-complex" | "corrupt",
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The header declares more pixels than allowed (decompression-bomb guard). */
export class JpegTooLargeError extends JpegDecodeError {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
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

/**
 * More scans than any real encoder writes, or more than the image's size allows: a CPU bomb
 * (each scan re-walks the whole image, so the cost is scans × pixels).
 */
export class JpegTooManyScansError extends JpegDecodeError {
  constructor(
    readonly scans: number,
    readonly maxScans: number,
    readonly megapixels?: number,
  ) {
    super(
      megapixels === undefined
        ? `JPEG has ${scans} scans, more than the limit of ${maxScans} (real encoders write at most a few dozen); refused before decoding`
        : `JPEG has ${scans} scans over ${megapixels.toFixed(1)} megapixels, more than the ${maxScans} scans allowed at that size (each scan re-walks the image: scans × megapixels may be at most ${MAX_JPEG_SCAN_MEGAPIXELS}); refused before decoding`,
      "too-complex",
    );
  }
}

/**
 * Most scans × megapixels a JPEG may ask for. Measured here (Dec 2026, 4 MP, repeated AC
 * refinement scans): libjpeg-turbo ≈ 2.3 ms and jpeg-js ≈ 6.6 ms a scan-megapixel, so a 499-scan
 * 50 MP file would take minutes. 1000 keeps the worst case to a few seconds and still admits a
 * 50 MP progressive JPEG of 20 scans (libjpeg writes 10, real encoders rarely more than 20).
 */
export const MAX_JPEG_SCAN_MEGAPIXELS = 1000;
