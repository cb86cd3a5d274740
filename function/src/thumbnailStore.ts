/** Writes thumbnails to the thumbnail bucket (s3:PutObject only: no tagging, no ACLs). */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { transient } from "./awsErrors";
import { THUMBNAIL_CACHE_CONTROL } from "./thumbnailKeys";

export interface ThumbnailObject {
  key: string;
  bytes: Uint8Array;
  contentType: string;
  metadata: Record<string, string>;
}

export async function putThumbnails(s3: S3Client, bucket: string, objects: ThumbnailObject[]): Promise<void> {
  await Promise.all(
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
}
