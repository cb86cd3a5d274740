/**
 * For programs that show thumbnails: the record's type, the key state's type, and the URLs of
 * an upload's thumbnails, so they import the schema instead of re-declaring it
 * (docs/deploy.md, "Reading the records from another program").
 *
 *   import { thumbnailUrls, type ImageRecord } from "thumbnail-pipeline/contract/consumer";
 *
 * Nothing here talks to AWS: fetch the record (GetItem by ImageID, or the key's state item and
 * then its current record) with the client you already have.
 */
import { RecordStatus, type ImageRecord, type ThumbnailEntry } from "./record";
import { currentImageIdOf, sourceKeyStateId, type SourceKeyState } from "./sourceKeyState";
import type { StackOutputName } from "./stackOutputs";

export type { ImageRecord, ThumbnailEntry, SourceKeyState };
export { RecordStatus, currentImageIdOf, sourceKeyStateId };

export interface ThumbnailUrl extends ThumbnailEntry {
  url: string;
}

/** The stack outputs the URLs are built from (StackReference or `pulumi stack output --json`). */
export type ThumbnailOutputs = { [K in Extract<StackOutputName, "thumbnailBaseUrl">]: string };

/** Whether the record's thumbnail objects exist: SUCCEEDED, or REPLACED with its thumbnails kept. */
export function hasThumbnails(record: Pick<ImageRecord, "Status" | "ThumbnailsRemovedAt">): boolean {
  return record.Status === RecordStatus.Succeeded || (record.Status === RecordStatus.Replaced && record.ThumbnailsRemovedAt === undefined);
}

/**
 * The URLs of a record's thumbnails, largest first, or none when the record holds none (FAILED,
 * DELETED, or REPLACED without its thumbnails). Keys are percent-encoded per path segment.
 */
export function thumbnailUrls(record: ImageRecord, outputs: ThumbnailOutputs): ThumbnailUrl[] {
  if (!hasThumbnails(record)) return [];
  const base = outputs.thumbnailBaseUrl.replace(/\/+$/, "");
  if (!/^https:\/\//.test(base)) throw new Error(`thumbnailBaseUrl "${outputs.thumbnailBaseUrl}" must be an https URL`);
  return record.Thumbnails.map((t) => ({ ...t, url: `${base}/${t.Key.split("/").map(encodeURIComponent).join("/")}` }));
}

/** The thumbnail that best fits a box of `size` pixels: the smallest at least that large, else the largest. */
export function thumbnailFor(record: ImageRecord, outputs: ThumbnailOutputs, size: number): ThumbnailUrl | undefined {
  const urls = thumbnailUrls(record, outputs);
  const fitting = urls.filter((t) => Math.max(t.Width, t.Height) >= size).sort((a, b) => a.Size - b.Size);
  return fitting[0] ?? urls[0];
}
