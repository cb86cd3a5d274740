/**
 * The image formats the function reads and the thumbnail formats it writes, as they appear in
 * records (DetectedFormat, Thumbnails[].Format), thumbnail keys and Content-Type headers.
 */

/** Formats the function decodes, judged from magic bytes. */
export type SourceFormat = "jpeg" | "png" | "gif" | "bmp" | "tiff" | "webp" | "avif" | "heic";

export const CONTENT_TYPES: Record<SourceFormat, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  bmp: "image/bmp",
  tiff: "image/tiff",
  webp: "image/webp",
  avif: "image/avif",
  heic: "image/heic",
};

/** Formats the function writes thumbnails in. */
export type ThumbnailFormat = "jpeg" | "png" | "webp";

export const THUMBNAIL_CONTENT_TYPES: Record<ThumbnailFormat, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

/** File extension of each thumbnail format, used in thumbnail keys. */
export const THUMBNAIL_EXTENSIONS: Record<ThumbnailFormat, string> = {
  jpeg: "jpg",
  png: "png",
  webp: "webp",
};
