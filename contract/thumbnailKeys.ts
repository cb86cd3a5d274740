/**
 * Where thumbnails live in the thumbnail bucket, and the headers they carry.
 *
 *   <ImageID>/<rendition>.<jpg|png>      e.g. 9f86d081884c7d659a2feaa0c55ad015/256.jpg
 *
 * A thumbnailSizes config names its renditions by the size (contract/renditions.ts), so its
 * keys are `<ImageID>/<size>.<ext>` as they always were.
 *
 * Keys are per upload (ImageID includes the event's sequencer), so an object never changes
 * once written: a late, older event can only ever write its own upload's thumbnails, never
 * replace a newer upload's, and caches may keep thumbnails forever.
 */
import { THUMBNAIL_EXTENSIONS, type SourceFormat, type ThumbnailFormat } from "./formats";

export function thumbnailKey(imageId: string, rendition: string | number, format: ThumbnailFormat): string {
  return `${imageId}/${rendition}.${THUMBNAIL_EXTENSIONS[format]}`;
}

/** Thumbnail objects are immutable (see above), so browsers and CDNs may cache them for a year. */
export const THUMBNAIL_CACHE_CONTROL = "public, max-age=31536000, immutable";

/** User metadata (x-amz-meta-*) on every thumbnail, tying it to its source. */
export function thumbnailMetadata(source: {
  imageId: string;
  bucket: string;
  key: string;
  eTag: string;
  versionId?: string;
  sequencer: string;
  size: number;
  facts?: ThumbnailFacts;
}): Record<string, string> {
  const metadata: Record<string, string> = {
    "image-id": source.imageId,
    "source-bucket": source.bucket,
    "source-etag": source.eTag,
    ...(source.versionId ? { "source-version-id": source.versionId } : {}),
    "source-sequencer": source.sequencer,
    "thumbnail-size": String(source.size),
    ...(source.facts ? factsMetadata(source.facts) : {}),
  };
  // S3 metadata travels in HTTP headers, which carry ASCII only; keys may be any UTF-8.
  const sourceKey = encodeURIComponent(source.key);
  // S3 refuses a PUT whose user metadata exceeds 2 KB (400, on every retry): a long non-ASCII
  // key triples when encoded, so it is left out then; image-id leads to the record, which holds it.
  if (userMetadataBytes({ ...metadata, "source-key": sourceKey }) <= MAX_USER_METADATA_BYTES) metadata["source-key"] = sourceKey;
  return metadata;
}

/** S3's limit on user-defined metadata: the UTF-8 bytes of every name and value. */
const MAX_USER_METADATA_BYTES = 2048;

function userMetadataBytes(metadata: Record<string, string>): number {
  // Names counted with their x-amz-meta- prefix, to stay clear of the limit however S3 counts.
  return Object.entries(metadata).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(`x-amz-meta-${name}`) + Buffer.byteLength(value),
    0,
  );
}

/**
 * What a thumbnail's metadata says about itself and its source: enough for a later attempt to
 * write the upload's SUCCEEDED record from the thumbnails alone, when an earlier attempt wrote
 * them but not the record and the source can no longer be read (processUpload).
 */
export interface ThumbnailFacts {
  width: number;
  height: number;
  sourceFormat: SourceFormat;
  /** Upright dimensions of the source. */
  sourceWidth: number;
  sourceHeight: number;
  sourceOrientation: number;
  sourceHasAlpha: boolean;
  sourceBytes: number;
}

const FACT_HEADERS: { [F in keyof ThumbnailFacts]: string } = {
  width: "thumbnail-width",
  height: "thumbnail-height",
  sourceFormat: "source-format",
  sourceWidth: "source-width",
  sourceHeight: "source-height",
  sourceOrientation: "source-orientation",
  sourceHasAlpha: "source-has-alpha",
  sourceBytes: "source-bytes",
};

function factsMetadata(facts: ThumbnailFacts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [fact, header] of Object.entries(FACT_HEADERS)) out[header] = String(facts[fact as keyof ThumbnailFacts]);
  return out;
}

/** The facts in a thumbnail's metadata, or undefined when any is absent or malformed (e.g. written by an older release). */
export function thumbnailFactsOf(metadata: Record<string, string | undefined>): ThumbnailFacts | undefined {
  const integer = (header: string) => {
    const text = metadata[header];
    return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
  };
  const facts = {
    width: integer(FACT_HEADERS.width),
    height: integer(FACT_HEADERS.height),
    sourceFormat: /^[a-z0-9]{1,16}$/.test(metadata[FACT_HEADERS.sourceFormat] ?? "")
      ? (metadata[FACT_HEADERS.sourceFormat] as SourceFormat)
      : undefined,
    sourceWidth: integer(FACT_HEADERS.sourceWidth),
    sourceHeight: integer(FACT_HEADERS.sourceHeight),
    sourceOrientation: integer(FACT_HEADERS.sourceOrientation),
    sourceHasAlpha: ({ true: true, false: false } as Record<string, boolean>)[metadata[FACT_HEADERS.sourceHasAlpha] ?? ""],
    sourceBytes: integer(FACT_HEADERS.sourceBytes),
  };
  return Object.values(facts).every((v) => v !== undefined) ? (facts as ThumbnailFacts) : undefined;
}
