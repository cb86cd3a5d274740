/**
 * Where a rendition's thumbnail comes from in the source and how large it is, in upright
 * (EXIF orientation applied) coordinates. Pure arithmetic, shared by the thumbnailer and by the
 * record a retry rebuilds from stored thumbnails.
 */
import type { Rendition } from "../../../contract/renditions";

export interface CropWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Placement {
  /** The thumbnail's dimensions. */
  width: number;
  height: number;
  /** The part of the source it shows (cover only; inside shows all of it). */
  crop?: CropWindow;
}

/** Dimensions that fit within width × height, keep the aspect ratio, never upscale, never reach 0. */
export function fitInside(width: number, height: number, boxWidth: number, boxHeight: number): { width: number; height: number } {
  const scale = Math.min(1, boxWidth / width, boxHeight / height);
  return {
    width: Math.max(1, Math.min(boxWidth, Math.round(width * scale))),
    height: Math.max(1, Math.min(boxHeight, Math.round(height * scale))),
  };
}

/**
 * The largest centred window of the box's aspect in the source, and the thumbnail made of it:
 * the box itself, or the window unscaled when the source is smaller than the box (never upscaled).
 */
export function coverWindow(width: number, height: number, boxWidth: number, boxHeight: number): Required<Placement> {
  let cropWidth = width;
  let cropHeight = height;
  if (width * boxHeight > height * boxWidth) cropWidth = Math.max(1, Math.min(width, Math.round((height * boxWidth) / boxHeight)));
  else cropHeight = Math.max(1, Math.min(height, Math.round((width * boxHeight) / boxWidth)));
  const crop = {
    x: Math.floor((width - cropWidth) / 2),
    y: Math.floor((height - cropHeight) / 2),
    width: cropWidth,
    height: cropHeight,
  };
  const upscales = cropWidth < boxWidth || cropHeight < boxHeight;
  return upscales ? { width: cropWidth, height: cropHeight, crop } : { width: boxWidth, height: boxHeight, crop };
}

/** Where the rendition's thumbnail of an upright width × height source comes from. */
export function placementOf(rendition: Rendition, width: number, height: number): Placement {
  return rendition.fit === "cover"
    ? coverWindow(width, height, rendition.width, rendition.height)
    : fitInside(width, height, rendition.width, rendition.height);
}
