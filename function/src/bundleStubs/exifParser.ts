/**
 * Stands in for `exif-parser` in the Lambda bundle (function/build.ts aliases it). jimp uses
 * it only to rotate images read through Jimp.fromBuffer, which the function never calls: the
 * core reads EXIF orientation itself (core/imageHeader) and rotates after the downscale.
 */
const ExifParser = {
  create(): never {
    throw new Error("exif-parser is not bundled with the function: read orientation with core/imageHeader");
  },
};
export default ExifParser;
