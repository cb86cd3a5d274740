import { strict as assert } from "assert";
import * as jpeg from "jpeg-js";
import sharp from "sharp";
import { encodeJpeg } from "../../function/src/core/jpeg/encoder";

/** Photo-like RGBA: smooth colour fields plus fine texture, fully opaque. */
function photoRgba(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = 128 + 90 * Math.sin(x / 23 + y / 41) + 10 * Math.sin(x * 1.7);
      data[i + 1] = 120 + 80 * Math.cos(y / 19) * Math.sin(x / 31);
      data[i + 2] = 110 + 70 * Math.sin((x + 2 * y) / 37) + 10 * Math.cos(y * 1.3);
      data[i + 3] = 255;
    }
  }
  return data;
}

async function decodeWithLibvips(bytes: Buffer): Promise<{ width: number; height: number; channels: number; data: Buffer }> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

function psnr(rgba: Buffer, decoded: { channels: number; data: Buffer }, pixels: number): number {
  let squared = 0;
  for (let p = 0; p < pixels; p++) {
    for (let k = 0; k < 3; k++) {
      const d = rgba[p * 4 + k] - decoded.data[p * decoded.channels + k];
      squared += d * d;
    }
  }
  const mse = squared / (pixels * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

describe("JPEG thumbnail encoder", () => {
  it("writes a baseline JFIF file that libvips and jpeg-js both read back at the right size", async () => {
    const data = photoRgba(256, 171);
    const bytes = encodeJpeg({ width: 256, height: 171, data }, { quality: 80 });
    assert.deepEqual([...bytes.subarray(0, 4)], [0xff, 0xd8, 0xff, 0xe0], "SOI then APP0");
    assert.ok(bytes.includes(Buffer.from("JFIF\0", "latin1")));
    assert.deepEqual([...bytes.subarray(-2)], [0xff, 0xd9], "ends with EOI");
    const meta = await sharp(bytes).metadata();
    assert.equal(meta.format, "jpeg");
    assert.equal(meta.isProgressive, false);
    assert.deepEqual([meta.width, meta.height], [256, 171]);
    const viaJpegJs = jpeg.decode(bytes, { useTArray: true });
    assert.deepEqual([viaJpegJs.width, viaJpegJs.height], [256, 171]);
  });

  it("is as faithful as jpeg-js's encoder at the same quality (4:4:4)", async () => {
    const width = 256;
    const height = 192;
    const data = photoRgba(width, height);
    const ours = psnr(data, await decodeWithLibvips(encodeJpeg({ width, height, data }, { quality: 80 })), width * height);
    const theirs = psnr(data, await decodeWithLibvips(jpeg.encode({ width, height, data }, 80).data), width * height);
    assert.ok(ours > 30, `PSNR ${ours.toFixed(2)} dB`);
    assert.ok(ours >= theirs - 0.25, `ours ${ours.toFixed(2)} dB vs jpeg-js ${theirs.toFixed(2)} dB`);
  });

  it("trades fidelity for bytes as quality goes down", async () => {
    const data = photoRgba(128, 128);
    const sizes = [95, 80, 50, 10].map((quality) => encodeJpeg({ width: 128, height: 128, data }, { quality }).length);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] < sizes[i - 1], `sizes by quality: ${sizes}`);
    const best = psnr(data, await decodeWithLibvips(encodeJpeg({ width: 128, height: 128, data }, { quality: 95 })), 128 * 128);
    const worst = psnr(data, await decodeWithLibvips(encodeJpeg({ width: 128, height: 128, data }, { quality: 10 })), 128 * 128);
    assert.ok(best > worst + 5, `q95 ${best.toFixed(1)} dB vs q10 ${worst.toFixed(1)} dB`);
  });

  it("subsamples chroma 4:2:0 on request, smaller and still faithful", async () => {
    const data = photoRgba(200, 150);
    const full = encodeJpeg({ width: 200, height: 150, data }, { quality: 80 });
    const subsampled = encodeJpeg({ width: 200, height: 150, data }, { quality: 80, chromaSubsampling: "4:2:0" });
    assert.equal((await sharp(full).metadata()).chromaSubsampling, "4:4:4");
    assert.equal((await sharp(subsampled).metadata()).chromaSubsampling, "4:2:0");
    assert.ok(subsampled.length < full.length);
    assert.ok(psnr(data, await decodeWithLibvips(subsampled), 200 * 150) > 28);
  });

  for (const [width, height] of [
    [1, 1],
    [7, 3],
    [17, 9],
    [256, 1],
    [1, 256],
    [255, 129],
  ] as const) {
    it(`encodes ${width}×${height} (partial blocks at the edges)`, async () => {
      const data = photoRgba(width, height);
      for (const chromaSubsampling of ["4:4:4", "4:2:0"] as const) {
        const decoded = await decodeWithLibvips(encodeJpeg({ width, height, data }, { quality: 90, chromaSubsampling }));
        assert.deepEqual([decoded.width, decoded.height], [width, height]);
        assert.ok(psnr(data, decoded, width * height) > 25, chromaSubsampling);
      }
    });
  }

  it("writes restart intervals that decoders follow", async () => {
    const data = photoRgba(160, 120);
    const plain = await decodeWithLibvips(encodeJpeg({ width: 160, height: 120, data }, { quality: 85 }));
    const withRestarts = encodeJpeg({ width: 160, height: 120, data }, { quality: 85, restartInterval: 2 });
    assert.ok(withRestarts.includes(Buffer.from([0xff, 0xdd, 0x00, 0x04, 0x00, 0x02])), "DRI says every 2 MCUs");
    const decoded = await decodeWithLibvips(withRestarts);
    assert.deepEqual(decoded.data, plain.data, "restart markers change the bitstream, not the picture");
  });

  it("stuffs 0xFF bytes in the entropy-coded data", () => {
    // Saturated noise makes long codes, so 0xFF bytes certainly occur in the scan.
    const width = 64;
    const height = 64;
    const data = Buffer.alloc(width * height * 4, 255);
    for (let i = 0; i < data.length; i++) if (i % 4 !== 3) data[i] = (i * 2654435761) >>> 24;
    const bytes = encodeJpeg({ width, height, data }, { quality: 100 });
    const scanStart = bytes.indexOf(Buffer.from([0xff, 0xda])) + 2 + bytes.readUInt16BE(bytes.indexOf(Buffer.from([0xff, 0xda])) + 2);
    const scan = bytes.subarray(scanStart, bytes.length - 2);
    let ffs = 0;
    for (let i = 0; i < scan.length; i++) {
      if (scan[i] === 0xff) {
        ffs++;
        assert.equal(scan[i + 1], 0x00, `0xFF at scan offset ${i} is followed by ${scan[i + 1]}`);
      }
    }
    assert.ok(ffs > 0, "the fixture produced 0xFF bytes");
  });

  it("refuses bad arguments, naming the rule", () => {
    const data = photoRgba(8, 8);
    assert.throws(() => encodeJpeg({ width: 8, height: 8, data }, { quality: 0 }), /quality must be 1–100, got 0/);
    assert.throws(() => encodeJpeg({ width: 8, height: 8, data }, { quality: 101 }), /quality must be 1–100/);
    assert.throws(() => encodeJpeg({ width: 0, height: 8, data }, { quality: 80 }), /size must be 1–65535 pixels each way, got 0×8/);
    assert.throws(() => encodeJpeg({ width: 9, height: 8, data }, { quality: 80 }), /9×8 RGBA needs 288 bytes, got 256/);
    assert.throws(
      () => encodeJpeg({ width: 8, height: 8, data }, { quality: 80, restartInterval: -1 }),
      /restartInterval must be an integer 0–65535/,
    );
  });
});
