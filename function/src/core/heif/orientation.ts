/**
 * HEIF's transformation properties (`irot`, `imir`) as the one EXIF orientation (1–8) that has
 * the same effect, so the core applies them as it applies EXIF: once, on the small thumbnail.
 * A HEIF file's own EXIF orientation is not applied as well: the format says the transformation
 * properties are what display follows (writers such as avifenc turn EXIF orientation into them).
 */
import type { Transform } from "./items";

/** A 2×2 integer matrix [a, b, c, d] taking stored (x, y) to displayed, y pointing down. */
type Matrix = readonly [number, number, number, number];

const EXIF: Record<number, Matrix> = {
  1: [1, 0, 0, 1],
  2: [-1, 0, 0, 1], // left and right exchanged
  3: [-1, 0, 0, -1],
  4: [1, 0, 0, -1], // top and bottom exchanged
  5: [0, 1, 1, 0], // transpose
  6: [0, -1, 1, 0], // 90° clockwise
  7: [0, -1, -1, 0], // transverse
  8: [0, 1, -1, 0], // 90° anticlockwise
};

function multiply(m: Matrix, n: Matrix): Matrix {
  return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3]];
}

function matrixOf(transform: Transform): Matrix {
  if (transform.kind === "clap") return EXIF[1];
  if (transform.kind === "imir") return transform.axis === 0 ? EXIF[4] : EXIF[2];
  let m = EXIF[1];
  for (let k = 0; k < transform.quarterTurnsAnticlockwise; k++) m = multiply(EXIF[8], m);
  return m;
}

/** The EXIF orientation equal to applying `transforms` in order. */
export function orientationOf(transforms: readonly Transform[]): number {
  const total = transforms.reduce<Matrix>((m, t) => multiply(matrixOf(t), m), EXIF[1]);
  const match = Object.entries(EXIF).find(([, m]) => m.every((v, i) => v === total[i]));
  return Number(match?.[0] ?? 1);
}
