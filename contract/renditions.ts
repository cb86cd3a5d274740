/**
 * Renditions: the named thumbnails made of every upload, each in one or more formats. The
 * stack's `renditions` config key (infra/config.ts) and the function's RENDITIONS variable
 * (function/src/config.ts) hold them and both check them with the one rule here.
 *
 * The older `thumbnailSizes` key still works: each size becomes a rendition named by the size
 * with fit "inside" and format "auto", so its keys (`<ImageID>/256.jpg`) stay as they were.
 */

export const FITS = ["inside", "cover"] as const;
/** inside: fits within width × height, aspect kept, never upscaled. cover: exactly width × height, centre crop, never upscaled. */
export type Fit = (typeof FITS)[number];

/** "auto" is JPEG, or PNG when the image has transparency (the behaviour of thumbnailSizes); webp is lossy with alpha kept. */
export const RENDITION_FORMATS = ["auto", "jpeg", "png", "webp"] as const;
export type RenditionFormat = (typeof RENDITION_FORMATS)[number];

export interface Rendition {
  /** Names the thumbnail's key: `<ImageID>/<name>.<ext>`. */
  name: string;
  width: number;
  /** The box's height; equal to width when absent. */
  height: number;
  fit: Fit;
  formats: RenditionFormat[];
}

export const RENDITION_LIMITS = {
  /** S3-key-safe and short: the name is part of every thumbnail key. */
  name: /^[a-z0-9][a-z0-9-]{0,31}$/,
  minSize: 16,
  maxSize: 4096,
  maxRenditions: 5,
  /** Renditions × formats: every output is an encode and a PUT inside one invocation's time. */
  maxOutputs: 10,
} as const;

/** The renditions the older thumbnailSizes key stands for (largest first, as thumbnails are made). */
export function renditionsFromSizes(sizes: readonly number[]): Rendition[] {
  return [...new Set(sizes)]
    .sort((a, b) => b - a)
    .map((size) => ({ name: String(size), width: size, height: size, fit: "inside", formats: ["auto"] }));
}

/** An example for error messages. */
export const RENDITIONS_EXAMPLE = '[{"name": "grid", "width": 256, "height": 256, "fit": "cover", "formats": ["jpeg"]}]';

/**
 * The renditions in `value` (already parsed from JSON), with defaults applied (height = width,
 * fit "inside", formats ["auto"]), or the problems found: each names the rendition, the field,
 * the value and the rule.
 */
export function parseRenditions(value: unknown): { renditions: Rendition[]; problems: string[] } {
  const problems: string[] = [];
  if (!Array.isArray(value)) return { renditions: [], problems: [`must be a list of renditions, e.g. ${RENDITIONS_EXAMPLE}`] };
  const L = RENDITION_LIMITS;
  if (value.length < 1 || value.length > L.maxRenditions) {
    problems.push(`must hold 1 to ${L.maxRenditions} renditions, got ${value.length}`);
  }
  const renditions: Rendition[] = [];
  value.forEach((item: unknown, i) => {
    const at = `rendition ${i + 1}`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.push(`${at} must be an object with name, width and optionally height, fit and formats, got ${JSON.stringify(item)}`);
      return;
    }
    const r = item as Record<string, unknown>;
    const known = ["name", "width", "height", "fit", "formats"];
    for (const field of Object.keys(r)) {
      if (!known.includes(field)) problems.push(`${at} has unknown field "${field}"; the fields are ${known.join(", ")}`);
    }
    const name = typeof r.name === "string" ? r.name : "";
    const label = typeof r.name === "string" ? `${at} ("${r.name}")` : at;
    if (!L.name.test(name)) {
      problems.push(`${label} name ${JSON.stringify(r.name)} must match ${L.name} (lower-case letters, digits, hyphens; 1–32 characters)`);
    }
    const size = (field: "width" | "height", fallback?: number): number => {
      const v = r[field] ?? fallback;
      if (typeof v !== "number" || !Number.isInteger(v) || v < L.minSize || v > L.maxSize) {
        problems.push(`${label} ${field} ${JSON.stringify(r[field])} must be an integer from ${L.minSize} to ${L.maxSize} pixels`);
        return L.minSize;
      }
      return v;
    };
    const width = size("width");
    const height = size("height", typeof r.width === "number" ? r.width : undefined);
    const fit = r.fit ?? "inside";
    if (!(FITS as readonly unknown[]).includes(fit))
      problems.push(`${label} fit ${JSON.stringify(r.fit)} must be one of ${FITS.join(", ")}`);
    const formats = r.formats ?? ["auto"];
    if (!Array.isArray(formats) || formats.length === 0) {
      problems.push(`${label} formats ${JSON.stringify(r.formats)} must be a non-empty list of ${RENDITION_FORMATS.join(", ")}`);
    } else {
      for (const f of formats) {
        if (!(RENDITION_FORMATS as readonly unknown[]).includes(f)) {
          problems.push(`${label} format ${JSON.stringify(f)} must be one of ${RENDITION_FORMATS.join(", ")}`);
        }
      }
      if (new Set(formats).size !== formats.length) problems.push(`${label} formats ${JSON.stringify(formats)} must be unique`);
      // "auto" is JPEG or PNG, so beside either it could name the same key twice.
      if (formats.includes("auto") && (formats.includes("jpeg") || formats.includes("png"))) {
        problems.push(`${label} formats ${JSON.stringify(formats)} may not combine "auto" with "jpeg" or "png" (auto is one of them)`);
      }
    }
    renditions.push({
      name,
      width,
      height,
      fit: fit as Fit,
      formats: Array.isArray(formats) ? (formats as RenditionFormat[]) : [],
    });
  });
  const names = renditions.map((r) => r.name);
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) problems.push(`rendition names must be unique; repeated: ${[...new Set(repeated)].join(", ")}`);
  const outputs = renditions.reduce((sum, r) => sum + r.formats.length, 0);
  if (outputs > L.maxOutputs) problems.push(`renditions × formats must be at most ${L.maxOutputs} outputs, got ${outputs}`);
  return { renditions, problems };
}

/** Two lists of renditions make the same thumbnails (order aside). */
export function canonicalRenditions(renditions: readonly Rendition[]): Rendition[] {
  return [...renditions]
    .map((r) => ({ name: r.name, width: r.width, height: r.height, fit: r.fit, formats: [...r.formats].sort() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
