import { strict as assert } from "assert";
import { decodeS3EventKey, encodeS3EventKey } from "../../contract/s3EventKey";
import { Sequencer, toAwsS3Event } from "../../local/s3Event";

describe("local S3 events", () => {
  describe("encodeS3EventKey", () => {
    it("encodes keys as real S3 notifications do: space as '+', '+' as %2B, '/' kept", () => {
      assert.equal(encodeS3EventKey("photos/my photo+1.jpg"), "photos/my+photo%2B1.jpg");
      assert.equal(encodeS3EventKey("ü/100%.png"), "%C3%BC/100%25.png");
    });

    it("round-trips through the decoding AWS documents for handlers", () => {
      for (const key of ["a b+c", "100% ü/ñ é.jpg", "x/y/z", "'quoted' (1).png", "#hash?.gif"]) {
        assert.equal(decodeS3EventKey(encodeS3EventKey(key)), key);
      }
    });
  });

  describe("Sequencer", () => {
    it("hands out strictly increasing hex sequencers, even within one millisecond", () => {
      const sequencer = new Sequencer();
      const values = Array.from({ length: 50 }, () => sequencer.next());
      for (let i = 1; i < values.length; i++) {
        assert.match(values[i], /^[0-9A-F]{16,}$/);
        assert.ok(BigInt(`0x${values[i]}`) > BigInt(`0x${values[i - 1]}`), `${values[i]} > ${values[i - 1]}`);
      }
    });
  });

  describe("toAwsS3Event", () => {
    it("turns an s3rver record into an S3-shaped event with an encoded key and a proper bucket ARN", () => {
      const event = toAwsS3Event(
        {
          eventName: "ObjectCreated:Put",
          eventTime: "2026-01-01T00:00:00.000Z",
          s3: { bucket: { name: "src" }, object: { key: "a b.jpg", size: 3, eTag: "abc", sequencer: "1" } },
        },
        { region: "eu-west-1", sequencer: new Sequencer() },
      );
      assert.equal(event.Records.length, 1);
      const [record] = event.Records;
      assert.equal(record.eventSource, "aws:s3");
      assert.equal(record.awsRegion, "eu-west-1");
      assert.equal(record.s3.bucket.arn, "arn:aws:s3:::src");
      assert.equal(record.s3.object.key, "a+b.jpg");
      assert.equal(record.s3.object.size, 3);
      assert.equal(record.s3.object.eTag, "abc");
      assert.notEqual(record.s3.object.sequencer, "1");
    });
  });
});
