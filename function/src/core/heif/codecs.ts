/** Names of the HEIF item codings (ISO/IEC 23008-12 and its amendments), for messages that name what a file holds. */
const CODINGS: Record<string, string> = {
  av01: "AV1",
  hvc1: "HEVC",
  hev1: "HEVC",
  avc1: "H.264",
  vvc1: "VVC",
  j2k1: "JPEG 2000",
  jpeg: "JPEG",
  unci: "uncompressed",
  grid: "grid",
  iden: "derived (identity)",
  iovl: "overlay",
};

export function codingName(itemType: string): string {
  const name = CODINGS[itemType];
  return name ? `'${itemType}' (${name})` : `'${itemType}'`;
}
