/**
 * The seed images mutations start from: small, varied images of every format the function
 * reads, made in code (sharp and jimp), so nothing binary is committed for them (HEIC, which
 * neither writes, uses the committed test fixtures). A format the
 * function learns to read joins the fuzzer by adding its seeds here: the map is typed by the
 * core's SourceFormat, so a new format without seeds does not compile.
 */
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { Jimp } from "jimp";
import type { SourceFormat } from "../../contract/formats";

export interface Seed {
  /** Names what is special about it, e.g. "png-interlaced". */
  name: string;
  bytes: Buffer;
}

const W = 40;
const H = 28;

/** Deterministic pixels with gradients, edges and an alpha ramp, so encoders emit non-trivial data. */
function pixels(channels: 3 | 4): Buffer {
  const data = Buffer.alloc(W * H * channels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * channels;
      data[i] = (x * 255) / (W - 1);
      data[i + 1] = (y * 255) / (H - 1);
      data[i + 2] = (x ^ y) & 1 ? 230 : 20;
      if (channels === 4) data[i + 3] = x < W / 2 ? 255 : (y * 255) / (H - 1);
    }
  }
  return data;
}

const rgb = () => sharp(pixels(3), { raw: { width: W, height: H, channels: 3 } });
const rgba = () => sharp(pixels(4), { raw: { width: W, height: H, channels: 4 } });

async function jimpEncoded(mime: "image/bmp"): Promise<Buffer> {
  const image = new Jimp({ width: W, height: H, data: pixels(4).map((v, i) => (i % 4 === 3 ? 255 : v)) as Buffer });
  return image.getBuffer(mime);
}

export const SEED_MAKERS: Record<SourceFormat, () => Promise<Seed[]>> = {
  jpeg: async () => [
    { name: "jpeg-baseline", bytes: await rgb().jpeg({ quality: 80 }).toBuffer() },
    { name: "jpeg-progressive", bytes: await rgb().jpeg({ quality: 80, progressive: true }).toBuffer() },
    { name: "jpeg-grey-444", bytes: await rgb().greyscale().jpeg({ quality: 70, chromaSubsampling: "4:4:4" }).toBuffer() },
    { name: "jpeg-exif-rotated", bytes: await rgb().jpeg({ quality: 60 }).withMetadata({ orientation: 6 }).toBuffer() },
  ],
  png: async () => [
    { name: "png-rgba", bytes: await rgba().png().toBuffer() },
    { name: "png-interlaced", bytes: await rgba().png({ progressive: true }).toBuffer() },
    { name: "png-palette-interlaced", bytes: await rgb().png({ palette: true, colours: 16, progressive: true }).toBuffer() },
    { name: "png-grey-16bit", bytes: await rgb().greyscale().toColourspace("grey16").png().toBuffer() },
  ],
  gif: async () => [
    { name: "gif-opaque", bytes: await rgb().gif().toBuffer() },
    { name: "gif-transparent", bytes: await rgba().gif().toBuffer() },
    { name: "gif-8-colours", bytes: await rgb().gif({ interFrameMaxError: 0, colours: 8 }).toBuffer() },
  ],
  bmp: async () => [{ name: "bmp-24bit", bytes: await jimpEncoded("image/bmp") }],
  tiff: async () => [
    { name: "tiff-uncompressed", bytes: await rgb().tiff({ compression: "none" }).toBuffer() },
    { name: "tiff-lzw", bytes: await rgba().tiff({ compression: "lzw" }).toBuffer() },
    { name: "tiff-deflate-predictor", bytes: await rgb().tiff({ compression: "deflate", predictor: "horizontal" }).toBuffer() },
    { name: "tiff-jpeg", bytes: await rgb().tiff({ compression: "jpeg", quality: 70 }).toBuffer() },
    { name: "tiff-tiled", bytes: await rgb().tiff({ compression: "none", tile: true, tileWidth: 16, tileHeight: 16 }).toBuffer() },
  ],
  webp: async () => [
    { name: "webp-lossy", bytes: await rgb().webp({ quality: 70 }).toBuffer() },
    { name: "webp-lossless", bytes: await rgba().webp({ lossless: true }).toBuffer() },
    { name: "webp-lossy-alpha", bytes: await rgba().webp({ quality: 70, alphaQuality: 80 }).toBuffer() },
    { name: "webp-animated", bytes: await animatedWebp() },
  ],
  avif: async () => [
    { name: "avif-420", bytes: await rgb().avif({ quality: 50, effort: 0 }).toBuffer() },
    { name: "avif-alpha", bytes: await rgba().avif({ quality: 50, effort: 0 }).toBuffer() },
    { name: "avif-444-lossless", bytes: await rgb().avif({ lossless: true, effort: 0 }).toBuffer() },
  ],
  // sharp's prebuilt libvips writes no HEVC: the committed HEIC test fixtures are the seeds.
  heic: async () =>
    ["8bit.heic", "10bit.heic", "alpha.heic", "grid.heic", "irot3-imir1.heic", "clap.heic"].map((file) => ({
      name: `heic-${file.replace(/\.heic$/, "")}`,
      bytes: fs.readFileSync(path.join(__dirname, "..", "..", "tests", "function", "fixtures", "heic", file)),
    })),
};

/** Two frames (the second the first's negative), so libwebp writes ANIM/ANMF chunks. */
async function animatedWebp(): Promise<Buffer> {
  const first = await rgba().png().toBuffer();
  const second = await rgba().negate({ alpha: false }).png().toBuffer();
  return sharp([first, second], { join: { animated: true } })
    .webp({ quality: 70 })
    .toBuffer();
}

export const FORMATS = Object.keys(SEED_MAKERS) as SourceFormat[];

/** File extension for saved inputs. */
export const EXTENSIONS: Record<SourceFormat, string> = {
  jpeg: "jpg",
  png: "png",
  gif: "gif",
  bmp: "bmp",
  tiff: "tif",
  webp: "webp",
  avif: "avif",
  heic: "heic",
};
