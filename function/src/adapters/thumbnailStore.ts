/**
 * Writes thumbnails to the thumbnail bucket (s3:PutObject; no tagging, no ACLs), finds the
 * ones an earlier attempt wrote (s3:ListBucket, s3:GetObject for HEAD), and deletes those of a
 * deleted or replaced upload (s3:DeleteObject).
 */
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { errorName, httpStatusOf, transient } from "./awsErrors";
import type { ThumbnailFormat } from "../../../contract/formats";
import { THUMBNAIL_CACHE_CONTROL, thumbnailFactsOf, thumbnailKey, type ThumbnailFacts } from "../../../contract/thumbnailKeys";
import type { Rendition, RenditionFormat } from "../../../contract/renditions";

export interface ThumbnailObject {
  key: string;
  bytes: Uint8Array;
  contentType: string;
  metadata: Record<string, string>;
}

export async function putThumbnails(s3: S3Client, bucket: string, objects: ThumbnailObject[]): Promise<void> {
  // allSettled: when one write fails, the others finish before the invocation ends rather than
  // being frozen mid-request with the container (and a retry then finds a settled state).
  const results = await Promise.allSettled(
    objects.map(async (object) => {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: object.key,
            Body: object.bytes,
            ContentType: object.contentType,
            CacheControl: THUMBNAIL_CACHE_CONTROL,
            Metadata: object.metadata,
          }),
        );
      } catch (err) {
        throw transient(`s3:PutObject s3://${bucket}/${object.key}`, err);
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

export interface StoredThumbnail {
  key: string;
  rendition: Rendition;
  size: number;
  format: ThumbnailFormat;
  bytes: number;
  contentType: string;
  facts: ThumbnailFacts;
}

/** The formats a rendition's format may have come out as ("auto" is JPEG or PNG, as the image had transparency). */
function candidates(format: RenditionFormat): ThumbnailFormat[] {
  return format === "auto" ? ["jpeg", "png"] : [format];
}

/**
 * This upload's thumbnails, one per rendition and format, if an earlier attempt wrote all of
 * them with their facts; otherwise undefined. Thumbnail keys are per upload (ImageID), so
 * whatever is under the ImageID's prefix was made from this upload's bytes and no other.
 */
export async function findThumbnails(
  s3: S3Client,
  bucket: string,
  imageId: string,
  renditions: readonly Rendition[],
): Promise<StoredThumbnail[] | undefined> {
  let listed: Set<string>;
  try {
    const response = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${imageId}/`, MaxKeys: 100 }));
    listed = new Set((response.Contents ?? []).map((o) => o.Key ?? ""));
  } catch (err) {
    throw transient(`s3:ListBucket s3://${bucket}/${imageId}/`, err);
  }
  const keys: { key: string; rendition: Rendition; format: ThumbnailFormat }[] = [];
  for (const rendition of renditions) {
    for (const wanted of rendition.formats) {
      const format = candidates(wanted).find((f) => listed.has(thumbnailKey(imageId, rendition.name, f)));
      if (!format) return undefined;
      keys.push({ key: thumbnailKey(imageId, rendition.name, format), rendition, format });
    }
  }
  const found: StoredThumbnail[] = [];
  for (const { key, rendition, format } of keys) {
    let head;
    try {
      head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      if (httpStatusOf(err) === 404 || errorName(err) === "NotFound") return undefined;
      throw transient(`s3:GetObject (HEAD) s3://${bucket}/${key}`, err);
    }
    const facts = thumbnailFactsOf(head.Metadata ?? {});
    if (!facts || head.ContentLength === undefined || !head.ContentType) return undefined;
    found.push({ key, rendition, size: rendition.width, format, bytes: head.ContentLength, contentType: head.ContentType, facts });
  }
  return found;
}

/**
 * Deletes thumbnail objects. Deleting a key that is not there succeeds in S3, so a retry or a
 * duplicate event deletes again harmlessly. One DeleteObject per key rather than DeleteObjects:
 * an upload has a handful of thumbnails, and DeleteObjects reports failures per key in a 200.
 */
export async function deleteThumbnails(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(
    keys.map(async (key) => {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (err) {
        throw transient(`s3:DeleteObject s3://${bucket}/${key}`, err);
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}
