/**
 * Object keys as S3 writes them in event notifications: form-style URL encoding, so a space is
 * '+', a literal '+' is %2B, and '/' is kept. The function decodes them; npm start, the tests and
 * the operator commands that build S3-shaped events encode them.
 */

export function encodeS3EventKey(key: string): string {
  return key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, "+"))
    .join("/");
}

/** The inverse, as AWS documents for handlers; a key that is not valid percent-encoding is kept as given (the sender did not encode it). */
export function decodeS3EventKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch {
    return encoded;
  }
}
