/**
 * Thumbnail quality: PSNR of a thumbnail against a reference made in floating point by exact
 * area averaging (each output pixel is the mean of the source area it covers) from the
 * full-size, upright source decoded by libvips. Higher is better; ~34 dB is jimp's box filter.
 */
import sharp from "sharp";

export interface RawImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array | Float64Array;
}

/** The source at full size, EXIF-rotated upright, as raw pixels. */
export async function decodeUpright(file: string): Promise<RawImage> {
  const { data, info } = await sharp(file, { limitInputPixels: false }).rotate().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

/** Weights of source pixels covering output pixel `o` along one axis (exact area coverage). */
function coverage(sourceSize: number, targetSize: number): Array<{ first: number; weights: number[] }> {
  const step = sourceSize / targetSize;
  return Array.from({ length: targetSize }, (_, o) => {
    const start = o * step;
    const end = start + step;
    const first = Math.floor(start);
    const weights: number[] = [];
    for (let s = first; s < end && s < sourceSize; s++) weights.push((Math.min(end, s + 1) - Math.max(start, s)) / step);
    return { first, weights };
  });
}

/** Exact area-average downscale in float. */
export function areaAverage(source: RawImage, width: number, height: number): RawImage {
  const c = source.channels;
  const across = coverage(source.width, width);
  const down = coverage(source.height, height);
  const rows = new Float64Array(source.height * width * c);
  for (let y = 0; y < source.height; y++) {
    for (let x = 0; x < width; x++) {
      const { first, weights } = across[x];
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let j = 0; j < weights.length; j++) sum += weights[j] * source.data[(y * source.width + first + j) * c + k];
        rows[(y * width + x) * c + k] = sum;
      }
    }
  }
  const out = new Float64Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const { first, weights } = down[y];
    for (let j = 0; j < weights.length; j++) {
      const w = weights[j];
      const row = (first + j) * width * c;
      for (let i = 0; i < width * c; i++) out[y * width * c + i] += w * rows[row + i];
    }
  }
  return { width, height, channels: c, data: out };
}

/** PSNR in dB over the channels both have (alpha included when both have it). */
export function psnr(reference: RawImage, candidate: RawImage): number {
  if (reference.width !== candidate.width || reference.height !== candidate.height) {
    throw new Error(`PSNR: ${candidate.width}×${candidate.height} against a ${reference.width}×${reference.height} reference`);
  }
  const channels = Math.min(reference.channels, candidate.channels);
  let squared = 0;
  for (let p = 0; p < reference.width * reference.height; p++) {
    for (let k = 0; k < channels; k++) {
      const d = reference.data[p * reference.channels + k] - candidate.data[p * candidate.channels + k];
      squared += d * d;
    }
  }
  const mse = squared / (reference.width * reference.height * channels);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** PSNR of an encoded thumbnail against the area-average reference of the upright source. */
export async function thumbnailPsnr(upright: RawImage, thumbnail: Buffer, cache: Map<string, RawImage>): Promise<number> {
  const { data, info } = await sharp(thumbnail).raw().toBuffer({ resolveWithObject: true });
  const key = `${info.width}x${info.height}`;
  let reference = cache.get(key);
  if (!reference) {
    reference = areaAverage(upright, info.width, info.height);
    cache.set(key, reference);
  }
  return psnr(reference, { width: info.width, height: info.height, channels: info.channels, data });
}
