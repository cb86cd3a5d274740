/**
 * Stands in for `file-type` in the Lambda bundle (function/build.ts aliases it). jimp reaches
 * file-type only from Jimp.fromBuffer/Jimp.read, which the function never calls: the core
 * detects formats from magic bytes itself and decodes through core/decoders. Leaving it out
 * saves ~60 KB of bundle and its parse time at every cold start.
 */
export function fileTypeFromBuffer(): never {
  throw new Error("file-type is not bundled with the function: detect formats with core/imageHeader and decode with core/decoders");
}
