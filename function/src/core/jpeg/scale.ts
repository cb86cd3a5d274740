/**
 * Choosing the DCT scale: the smallest decode (1/8, then 1/4, 1/2, 1/1) that still covers the
 * size the thumbnail needs, so the final resize only ever shrinks.
 */

/** The scale denominators libjpeg's reduced inverse DCTs provide as exact block averages. */
export const DCT_DENOMINATORS = [8, 4, 2, 1] as const;
export type DctDenominator = (typeof DCT_DENOMINATORS)[number];

/** libjpeg's size after scaling by 1/denominator: rounded up, so never 0. */
export function scaledDimension(size: number, denominator: number): number {
  return Math.ceil(size / denominator);
}

/**
 * The largest denominator whose scaled width and height are both at least minWidth × minHeight
 * (or 1 when even the full size does not cover them: a decoder never upscales).
 */
export function chooseDenominator(width: number, height: number, minWidth: number, minHeight: number): DctDenominator {
  for (const denominator of DCT_DENOMINATORS) {
    if (scaledDimension(width, denominator) >= minWidth && scaledDimension(height, denominator) >= minHeight) return denominator;
  }
  return 1;
}
