/**
 * Where thumbnails live in the thumbnail bucket, and the headers they carry.
 *
 *   <ImageID>/<size>.<jpg|png>      e.g. 9f86d081884c7d659a2feaa0c55ad015/256.jpg
 *
 * Keys are per upload (ImageID includes the event's sequencer), so an object never changes
 * once written: a late, older event can only ever write its own upload's thumbnails, never
 * replace a newer upload's, and caches may keep thumbnails forever.
 */
import { THUMBNAIL_EXTENSIONS, type ThumbnailFormat } from "./core/encoders";

export function thumbnailKey(imageId: string, size: number, format: ThumbnailFormat): string {
  return `${imageId}/${size}.${THUMBNAIL_EXTENSIONS[format]}`;
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
}): Record<string, string> {
  const metadata: Record<string, string> = {
    "image-id": source.imageId,
    "source-bucket": source.bucket,
    "source-etag": source.eTag,
    ...(source.versionId ? { "source-version-id": source.versionId } : {}),
    "source-sequencer": source.sequencer,
    "thumbnail-size": String(source.size),
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
  return Object.entries(metadata).reduce((sum, [name, value]) => sum + Buffer.byteLength(`x-amz-meta-${name}`) + Buffer.byteLength(value), 0);
}
