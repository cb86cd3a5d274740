/**
 * An exact area-average (box) downscale that takes the source one row at a time, so a decoder
 * that produces rows in order (PNG, TIFF strips, GIF) never has to hold the full-size bitmap:
 * it holds one horizontally shrunk row per output row being filled (two at most), each
 * targetWidth wide.
 *
 * It computes what jimp's default resize (the one the core uses everywhere else) computes: a
 * horizontal pass, then a vertical one, each weighting a source pixel by how much of it falls
 * inside the output pixel; colour is averaged over the pixels that are not fully transparent,
 * alpha over all of them. The weights are kept in integer units (1/targetWidth of a source
 * pixel) so the spans add up exactly instead of drifting with floating-point error.
 */
import type { Bitmap } from "./orientation";

/** Per source column: the output column it starts in and its weight there and in the next one. */
interface ColumnSpans {
  column: Int32Array;
  first: Float64Array;
  second: Float64Array;
}

function columnSpans(sourceWidth: number, targetWidth: number): ColumnSpans {
  const column = new Int32Array(sourceWidth);
  const first = new Float64Array(sourceWidth);
  const second = new Float64Array(sourceWidth);
  for (let x = 0; x < sourceWidth; x++) {
    // Source pixel x spans [x·tw, (x+1)·tw); output column j spans [j·sw, (j+1)·sw).
    const start = x * targetWidth;
    const end = start + targetWidth;
    const j = Math.min(targetWidth - 1, Math.floor(start / sourceWidth));
    const boundary = (j + 1) * sourceWidth;
    column[x] = j;
    if (end > boundary && j + 1 < targetWidth) {
      first[x] = boundary - start;
      second[x] = end - boundary;
    } else {
      first[x] = targetWidth;
    }
  }
  return { column, first, second };
}

export class BoxShrinker {
  private readonly spans: ColumnSpans;
  /** The horizontal pass of the current source row: colour sums, colour weights, alpha sums. */
  private readonly rowColour: Float64Array;
  private readonly rowWeight: Float64Array;
  private readonly rowAlpha: Float64Array;
  /** Two output rows being filled (the current and, when a source row straddles, the next). */
  private readonly colour: Float64Array[];
  private readonly weight: Float64Array[];
  private readonly alpha: Float64Array[];
  private readonly output: Buffer;
  private sourceRow = 0;

  constructor(
    readonly sourceWidth: number,
    readonly sourceHeight: number,
    readonly targetWidth: number,
    readonly targetHeight: number,
  ) {
    if (!(targetWidth >= 1 && targetHeight >= 1 && targetWidth <= sourceWidth && targetHeight <= sourceHeight)) {
      throw new RangeError(
        `BoxShrinker: ${sourceWidth}×${sourceHeight} cannot shrink to ${targetWidth}×${targetHeight} (only downscaling)`,
      );
    }
    this.spans = columnSpans(sourceWidth, targetWidth);
    this.rowColour = new Float64Array(targetWidth * 3);
    this.rowWeight = new Float64Array(targetWidth);
    this.rowAlpha = new Float64Array(targetWidth);
    this.colour = [new Float64Array(targetWidth * 3), new Float64Array(targetWidth * 3)];
    this.weight = [new Float64Array(targetWidth), new Float64Array(targetWidth)];
    this.alpha = [new Float64Array(targetWidth), new Float64Array(targetWidth)];
    this.output = Buffer.alloc(targetWidth * targetHeight * 4);
  }

  /**
   * Adds the next source row: `pixels` holds sourceWidth pixels of `stride` bytes, R G B first.
   * With `opaque` the alpha byte (if any) is not read and every pixel counts as opaque.
   */
  addRow(pixels: Uint8Array, stride: 3 | 4, opaque: boolean): void {
    if (this.sourceRow >= this.sourceHeight) throw new RangeError(`BoxShrinker: more than ${this.sourceHeight} rows`);
    if (this.targetWidth === this.sourceWidth && this.targetHeight === this.sourceHeight) {
      this.copyRow(pixels, stride, opaque);
      return;
    }
    if (opaque) this.shrinkOpaqueRow(pixels, stride);
    else this.shrinkRow(pixels);
    this.accumulateRow();
  }

  /** The shrunk bitmap; every source row must have been added. */
  result(): Bitmap {
    if (this.sourceRow !== this.sourceHeight) {
      throw new RangeError(`BoxShrinker: ${this.sourceRow} of ${this.sourceHeight} rows added`);
    }
    return { width: this.targetWidth, height: this.targetHeight, data: this.output };
  }

  /** Same size: the pixels as they are, as jimp leaves them (a transparent pixel keeps its colour). */
  private copyRow(pixels: Uint8Array, stride: number, opaque: boolean): void {
    const out = this.output;
    const o = this.sourceRow++ * this.sourceWidth * 4;
    if (stride === 4 && !opaque) {
      out.set(pixels.subarray(0, this.sourceWidth * 4), o);
      return;
    }
    for (let x = 0, p = 0, q = o; x < this.sourceWidth; x++, p += stride, q += 4) {
      out[q] = pixels[p];
      out[q + 1] = pixels[p + 1];
      out[q + 2] = pixels[p + 2];
      out[q + 3] = 255;
    }
  }

  private shrinkOpaqueRow(pixels: Uint8Array, stride: number): void {
    const { column, first, second } = this.spans;
    const sums = this.rowColour;
    sums.fill(0);
    for (let x = 0, p = 0; x < this.sourceWidth; x++, p += stride) {
      const j = column[x] * 3;
      const w = first[x];
      const r = pixels[p];
      const g = pixels[p + 1];
      const b = pixels[p + 2];
      sums[j] += r * w;
      sums[j + 1] += g * w;
      sums[j + 2] += b * w;
      const w2 = second[x];
      if (w2 !== 0) {
        sums[j + 3] += r * w2;
        sums[j + 4] += g * w2;
        sums[j + 5] += b * w2;
      }
    }
    // Every column received exactly sourceWidth units of weight, all of it opaque.
    this.rowWeight.fill(this.sourceWidth);
    this.rowAlpha.fill(255 * this.sourceWidth);
  }

  private shrinkRow(pixels: Uint8Array): void {
    const { column, first, second } = this.spans;
    const sums = this.rowColour;
    const weights = this.rowWeight;
    const alphas = this.rowAlpha;
    sums.fill(0);
    weights.fill(0);
    alphas.fill(0);
    for (let x = 0, p = 0; x < this.sourceWidth; x++, p += 4) {
      const a = pixels[p + 3];
      if (a === 0) continue;
      const j = column[x];
      const c = j * 3;
      const w = first[x];
      const r = pixels[p];
      const g = pixels[p + 1];
      const b = pixels[p + 2];
      sums[c] += r * w;
      sums[c + 1] += g * w;
      sums[c + 2] += b * w;
      weights[j] += w;
      alphas[j] += a * w;
      const w2 = second[x];
      if (w2 !== 0) {
        sums[c + 3] += r * w2;
        sums[c + 4] += g * w2;
        sums[c + 5] += b * w2;
        weights[j + 1] += w2;
        alphas[j + 1] += a * w2;
      }
    }
  }

  /** The vertical pass: this (horizontally shrunk) row's share of the one or two output rows it overlaps. */
  private accumulateRow(): void {
    const y = this.sourceRow++;
    const sourceHeight = this.sourceHeight;
    const targetHeight = this.targetHeight;
    const start = y * targetHeight;
    const end = start + targetHeight;
    const j = Math.min(targetHeight - 1, Math.floor(start / sourceHeight));
    const boundary = (j + 1) * sourceHeight;
    const straddles = end > boundary && j + 1 < targetHeight;
    this.addShare(j & 1, straddles ? boundary - start : targetHeight);
    if (straddles) this.addShare((j + 1) & 1, end - boundary);
    if (end >= boundary || y === sourceHeight - 1) this.emit(j);
  }

  private addShare(slot: number, share: number): void {
    const colour = this.colour[slot];
    const weight = this.weight[slot];
    const alpha = this.alpha[slot];
    const rowColour = this.rowColour;
    const rowWeight = this.rowWeight;
    const rowAlpha = this.rowAlpha;
    const sourceWidth = this.sourceWidth;
    for (let i = 0, c = 0; i < this.targetWidth; i++, c += 3) {
      const n = rowWeight[i];
      // As in jimp: an intermediate pixel with no opaque contribution adds no colour.
      if (n === 0) continue;
      const k = share / n;
      colour[c] += rowColour[c] * k;
      colour[c + 1] += rowColour[c + 1] * k;
      colour[c + 2] += rowColour[c + 2] * k;
      weight[i] += share;
      alpha[i] += (rowAlpha[i] / sourceWidth) * share;
    }
  }

  private emit(row: number): void {
    const slot = row & 1;
    const colour = this.colour[slot];
    const weight = this.weight[slot];
    const alpha = this.alpha[slot];
    const out = this.output;
    const sourceHeight = this.sourceHeight;
    for (let i = 0, c = 0, o = row * this.targetWidth * 4; i < this.targetWidth; i++, c += 3, o += 4) {
      const n = weight[i];
      if (n !== 0) {
        out[o] = clampByte(colour[c] / n);
        out[o + 1] = clampByte(colour[c + 1] / n);
        out[o + 2] = clampByte(colour[c + 2] / n);
      }
      out[o + 3] = clampByte(alpha[i] / sourceHeight);
    }
    colour.fill(0);
    weight.fill(0);
    alpha.fill(0);
  }
}

function clampByte(value: number): number {
  const rounded = Math.round(value);
  return rounded < 0 ? 0 : rounded > 255 ? 255 : rounded;
}
