/**
 * What a HEIF-structured file (AVIF, HEIC) says about its primary image before any decoder runs
 * (ISO/IEC 23008-12): the item's coding (`av01`, `hvc1`, `grid`, …), its size (`ispe`, or for a
 * `grid` the output size in the grid's own data, checked against the tiles that must cover it),
 * its transformations (`irot`, `imir`, in the order they are associated) and every other size a
 * decoder may act on (auxiliary items such as alpha, and the frames of image-sequence tracks),
 * so the pixel limit covers all of them.
 */
import { BoxError, boxesIn, fourcc, fullBox, need, uint16, uint32, uintN, type Box } from "./boxes";

export interface Size {
  width: number;
  height: number;
}

/** A transformation of the decoded image, in the order the file associates them. */
export type Transform =
  | { kind: "irot"; quarterTurnsAnticlockwise: number }
  | { kind: "imir"; axis: number }
  /** Clean aperture: width, height and the centre's offsets as fractions [numerator, denominator]. */
  | { kind: "clap"; width: Fraction; height: Fraction; horizontalOffset: Fraction; verticalOffset: Fraction };

export type Fraction = readonly [numerator: number, denominator: number];

export interface GridLayout extends Size {
  rows: number;
  columns: number;
  tile: Size;
  /** The tiles' coding (every tile must be coded alike). */
  tileType: string;
}

export interface HeifPrimary {
  /** The file's brands (major first). */
  brands: string[];
  itemType: string;
  /** The displayed canvas before transformations: ispe, or a grid's output size. */
  width: number;
  height: number;
  transforms: Transform[];
  grid?: GridLayout;
  /** The decoder configuration property (`av1C`, `hvcC`) of the primary item, or of a grid's first tile. */
  config?: { type: string; bytes: Uint8Array };
  /** Every other size the file declares for something a decoder would decode. */
  otherSizes: Array<Size & { kind: "auxiliary" | "thumbnail" | "track" }>;
}

const CONFIG_PROPERTIES = new Set(["av1C", "hvcC", "vvcC", "j2kH"]);

interface Item {
  id: number;
  type: string;
  properties: Box[];
}

function brandsOf(bytes: Uint8Array, ftyp: Box): string[] {
  need(ftyp, ftyp.payload, 8, "major brand and minor version");
  const brands = [fourcc(bytes, ftyp.payload)];
  for (let at = ftyp.payload + 8; at + 4 <= ftyp.end; at += 4) brands.push(fourcc(bytes, at));
  return brands;
}

function childOf(boxes: Box[], type: string): Box | undefined {
  return boxes.find((b) => b.type === type);
}

function required(boxes: Box[], type: string, where: string): Box {
  const box = childOf(boxes, type);
  if (!box) throw new BoxError(`${where} has no "${type}" box`);
  return box;
}

function readItemTypes(bytes: Uint8Array, iinf: Box): Map<number, string> {
  const { version, body } = fullBox(bytes, iinf);
  const countBytes = version === 0 ? 2 : 4;
  need(iinf, body, countBytes, "entry count");
  const types = new Map<number, string>();
  for (const infe of boxesIn(bytes, body + countBytes, iinf.end, "the item information box (iinf)")) {
    if (infe.type !== "infe") continue;
    const entry = fullBox(bytes, infe);
    // Versions 0 and 1 predate item types; HEIF requires 2 or 3.
    if (entry.version < 2) continue;
    const idBytes = entry.version === 2 ? 2 : 4;
    need(infe, entry.body, idBytes + 6, "item id, protection index and type");
    const id = idBytes === 2 ? uint16(bytes, entry.body) : uint32(bytes, entry.body);
    types.set(id, fourcc(bytes, entry.body + idBytes + 2));
  }
  return types;
}

function readProperties(bytes: Uint8Array, iprp: Box): Map<number, Box[]> {
  const children = boxesIn(bytes, iprp.payload, iprp.end, "the item properties box (iprp)");
  const ipco = required(children, "ipco", "the item properties box (iprp)");
  const properties = boxesIn(bytes, ipco.payload, ipco.end, "the property container (ipco)");
  const byItem = new Map<number, Box[]>();
  for (const ipma of children.filter((b) => b.type === "ipma")) {
    const { version, flags, body } = fullBox(bytes, ipma);
    need(ipma, body, 4, "entry count");
    const count = uint32(bytes, body);
    let at = body + 4;
    for (let i = 0; i < count; i++) {
      const idBytes = version < 1 ? 2 : 4;
      need(ipma, at, idBytes + 1, "item association");
      const id = idBytes === 2 ? uint16(bytes, at) : uint32(bytes, at);
      const associations = bytes[at + idBytes];
      at += idBytes + 1;
      const indexBytes = flags & 1 ? 2 : 1;
      need(ipma, at, associations * indexBytes, `associations of item ${id}`);
      const list = byItem.get(id) ?? [];
      for (let k = 0; k < associations; k++, at += indexBytes) {
        // The top bit is "essential"; the index is 1-based, 0 meaning none.
        const index = indexBytes === 2 ? uint16(bytes, at) & 0x7fff : bytes[at] & 0x7f;
        if (index === 0) continue;
        const property = properties[index - 1];
        if (!property) throw new BoxError(`item ${id} is associated with property ${index}, but there are ${properties.length}`);
        list.push(property);
      }
      byItem.set(id, list);
    }
  }
  return byItem;
}

/** item id → [offset, length] of its first extent, and where it lives (the file, or the meta's idat). */
function readLocations(bytes: Uint8Array, iloc: Box, idat: Box | undefined): Map<number, { start: number; end: number }> {
  const { version, body } = fullBox(bytes, iloc);
  need(iloc, body, 2, "field sizes");
  const offsetSize = bytes[body] >> 4;
  const lengthSize = bytes[body] & 15;
  const baseOffsetSize = bytes[body + 1] >> 4;
  const indexSize = version === 1 || version === 2 ? bytes[body + 1] & 15 : 0;
  const countBytes = version < 2 ? 2 : 4;
  need(iloc, body + 2, countBytes, "item count");
  const count = countBytes === 2 ? uint16(bytes, body + 2) : uint32(bytes, body + 2);
  let at = body + 2 + countBytes;
  const locations = new Map<number, { start: number; end: number }>();
  for (let i = 0; i < count; i++) {
    const idBytes = version < 2 ? 2 : 4;
    need(iloc, at, idBytes, "item id");
    const id = idBytes === 2 ? uint16(bytes, at) : uint32(bytes, at);
    at += idBytes;
    let method = 0;
    if (version === 1 || version === 2) {
      need(iloc, at, 2, "construction method");
      method = uint16(bytes, at) & 15;
      at += 2;
    }
    need(iloc, at, 2 + baseOffsetSize + 2, "base offset and extent count");
    const base = uintN(bytes, at + 2, baseOffsetSize, `item ${id}'s base offset`);
    const extents = uint16(bytes, at + 2 + baseOffsetSize);
    at += 2 + baseOffsetSize + 2;
    const extentBytes = indexSize + offsetSize + lengthSize;
    need(iloc, at, extents * extentBytes, `item ${id}'s extents`);
    if (extents > 0) {
      const offset = base + uintN(bytes, at + indexSize, offsetSize, `item ${id}'s extent offset`);
      const length = uintN(bytes, at + indexSize + offsetSize, lengthSize, `item ${id}'s extent length`);
      const origin = method === 1 ? (idat?.payload ?? -1) : method === 0 ? 0 : -1;
      if (origin >= 0) locations.set(id, { start: origin + offset, end: origin + offset + length });
    }
    at += extents * extentBytes;
  }
  return locations;
}

/** from item id → reference type → to item ids, in order. */
function readReferences(bytes: Uint8Array, iref: Box | undefined): Map<number, Map<string, number[]>> {
  const references = new Map<number, Map<string, number[]>>();
  if (!iref) return references;
  const { version, body } = fullBox(bytes, iref);
  const idBytes = version === 0 ? 2 : 4;
  const id = (at: number) => (idBytes === 2 ? uint16(bytes, at) : uint32(bytes, at));
  for (const ref of boxesIn(bytes, body, iref.end, "the item reference box (iref)")) {
    need(ref, ref.payload, idBytes + 2, "from-item and count");
    const from = id(ref.payload);
    const count = uint16(bytes, ref.payload + idBytes);
    need(ref, ref.payload + idBytes + 2, count * idBytes, "to-items");
    const to = Array.from({ length: count }, (_, k) => id(ref.payload + idBytes + 2 + k * idBytes));
    const byType = references.get(from) ?? new Map<string, number[]>();
    byType.set(ref.type, [...(byType.get(ref.type) ?? []), ...to]);
    references.set(from, byType);
  }
  return references;
}

function ispeOf(bytes: Uint8Array, item: Item): Size | undefined {
  const ispe = item.properties.find((p) => p.type === "ispe");
  if (!ispe) return undefined;
  const { body } = fullBox(bytes, ispe);
  need(ispe, body, 8, "width and height");
  return { width: uint32(bytes, body), height: uint32(bytes, body + 4) };
}

function transformsOf(bytes: Uint8Array, item: Item): Transform[] {
  const transforms: Transform[] = [];
  for (const p of item.properties) {
    if (p.type === "irot") {
      need(p, p.payload, 1, "angle");
      transforms.push({ kind: "irot", quarterTurnsAnticlockwise: bytes[p.payload] & 3 });
    } else if (p.type === "imir") {
      need(p, p.payload, 1, "axis");
      transforms.push({ kind: "imir", axis: bytes[p.payload] & 1 });
    } else if (p.type === "clap") {
      need(p, p.payload, 32, "eight fields");
      const field = (k: number, signed: boolean): number => {
        const v = uint32(bytes, p.payload + 4 * k);
        return signed ? v | 0 : v;
      };
      const fraction = (k: number, signed: boolean): Fraction => {
        const denominator = field(k + 1, false);
        if (denominator === 0) throw new BoxError(`the clean aperture (clap) at byte ${p.start} has a zero denominator`);
        return [field(k, signed), denominator];
      };
      transforms.push({
        kind: "clap",
        width: fraction(0, false),
        height: fraction(2, false),
        horizontalOffset: fraction(4, true),
        verticalOffset: fraction(6, true),
      });
    }
  }
  return transforms;
}

function gridLayout(bytes: Uint8Array, grid: Item, data: { start: number; end: number } | undefined, tiles: Item[]): GridLayout {
  if (!data || data.end > bytes.length || data.end - data.start < 8) {
    throw new BoxError(`the grid item ${grid.id}'s description is missing or lies outside the file`);
  }
  const at = data.start;
  const large = (bytes[at + 1] & 1) === 1;
  if (large && data.end - data.start < 12) throw new BoxError(`the grid item ${grid.id}'s description is cut short`);
  const rows = bytes[at + 2] + 1;
  const columns = bytes[at + 3] + 1;
  const width = large ? uint32(bytes, at + 4) : uint16(bytes, at + 4);
  const height = large ? uint32(bytes, at + 8) : uint16(bytes, at + 6);
  if (tiles.length !== rows * columns) {
    throw new BoxError(`the ${columns}×${rows} grid item ${grid.id} references ${tiles.length} tiles, not ${rows * columns}`);
  }
  const sizes = tiles.map((t) => ispeOf(bytes, t));
  const tile = sizes[0];
  if (!tile || sizes.some((s) => !s || s.width !== tile.width || s.height !== tile.height)) {
    throw new BoxError(`the tiles of grid item ${grid.id} do not all declare the same size (ispe)`);
  }
  const tileType = tiles[0].type;
  if (tiles.some((t) => t.type !== tileType)) throw new BoxError(`the tiles of grid item ${grid.id} are not all coded alike`);
  // HEIF: the tiles cover the output, and no tile column or row lies wholly outside it.
  const covers = (count: number, size: number, output: number) => count * size >= output && (count - 1) * size < output;
  if (!covers(columns, tile.width, width) || !covers(rows, tile.height, height)) {
    throw new BoxError(`a ${columns}×${rows} grid of ${tile.width}×${tile.height} tiles does not fit a ${width}×${height} output`);
  }
  return { rows, columns, width, height, tile, tileType };
}

/** Width and height of every visual sample entry in the image-sequence tracks (moov/trak/…/stsd). */
function trackSizes(bytes: Uint8Array, moov: Box): Size[] {
  const sizes: Size[] = [];
  const path = ["trak", "mdia", "minf", "stbl", "stsd"];
  const descend = (parent: Box, depth: number) => {
    if (depth === path.length) {
      const { body } = fullBox(bytes, parent);
      for (const entry of boxesIn(bytes, body + 4, parent.end, "the sample description box (stsd)")) {
        // VisualSampleEntry: 6 reserved, 2 data reference index, 16 pre-defined/reserved, then width and height.
        need(entry, entry.payload, 28, "visual sample entry");
        sizes.push({ width: uint16(bytes, entry.payload + 24), height: uint16(bytes, entry.payload + 26) });
      }
      return;
    }
    for (const child of boxesIn(bytes, parent.payload, parent.end, `the "${parent.type}" box`)) {
      if (child.type === path[depth]) descend(child, depth + 1);
    }
  };
  descend(moov, 0);
  return sizes;
}

export function readHeifPrimary(bytes: Uint8Array): HeifPrimary {
  const top = boxesIn(bytes, 0, bytes.length, "the file");
  const ftyp = top[0];
  if (ftyp?.type !== "ftyp") throw new BoxError(`the first box is "${ftyp?.type}", not "ftyp"`);
  const brands = brandsOf(bytes, ftyp);
  const meta = required(top, "meta", "the file");
  const metaBox = fullBox(bytes, meta);
  const children = boxesIn(bytes, metaBox.body, meta.end, "the meta box");
  const hdlr = required(children, "hdlr", "the meta box");
  need(hdlr, hdlr.payload, 12, "handler type");
  const handler = fourcc(bytes, hdlr.payload + 8);
  if (handler !== "pict") throw new BoxError(`the meta box's handler is "${handler}", not "pict" (not an image)`);
  const pitm = required(children, "pitm", "the meta box");
  const pitmBox = fullBox(bytes, pitm);
  need(pitm, pitmBox.body, pitmBox.version === 0 ? 2 : 4, "item id");
  const primaryId = pitmBox.version === 0 ? uint16(bytes, pitmBox.body) : uint32(bytes, pitmBox.body);

  const types = readItemTypes(bytes, required(children, "iinf", "the meta box"));
  const properties = readProperties(bytes, required(children, "iprp", "the meta box"));
  const references = readReferences(bytes, childOf(children, "iref"));
  const item = (id: number): Item => {
    const type = types.get(id);
    if (type === undefined) throw new BoxError(`item ${id} is referenced but not described in the item information box (iinf)`);
    return { id, type, properties: properties.get(id) ?? [] };
  };
  const primary = item(primaryId);

  let size: Size | undefined;
  let grid: GridLayout | undefined;
  let coded = primary;
  if (primary.type === "grid") {
    const locations = readLocations(bytes, required(children, "iloc", "the meta box"), childOf(children, "idat"));
    const tiles = (references.get(primaryId)?.get("dimg") ?? []).map(item);
    coded = tiles[0] ?? primary;
    grid = gridLayout(bytes, primary, locations.get(primaryId), tiles);
    const declared = ispeOf(bytes, primary);
    if (declared && (declared.width !== grid.width || declared.height !== grid.height)) {
      throw new BoxError(
        `the grid item declares ${declared.width}×${declared.height} (ispe) but its output is ${grid.width}×${grid.height}`,
      );
    }
    size = grid;
  } else {
    size = ispeOf(bytes, primary);
    if (!size) throw new BoxError(`the primary item ${primaryId} has no size (ispe property)`);
  }

  // Items that describe the primary one (alpha, depth: "auxl"; thumbnails: "thmb") are decoded with it.
  const otherSizes: HeifPrimary["otherSizes"] = [];
  for (const [from, byType] of references) {
    if (!types.has(from)) continue;
    for (const [type, kind] of [
      ["auxl", "auxiliary"],
      ["thmb", "thumbnail"],
    ] as const) {
      if (!(byType.get(type) ?? []).includes(primaryId)) continue;
      const s = ispeOf(bytes, item(from));
      if (s) otherSizes.push({ ...s, kind });
    }
  }
  const moov = childOf(top, "moov");
  if (moov) otherSizes.push(...trackSizes(bytes, moov).map((s) => ({ ...s, kind: "track" as const })));
  const configBox = coded.properties.find((p) => CONFIG_PROPERTIES.has(p.type));
  const config = configBox && { type: configBox.type, bytes: bytes.subarray(configBox.payload, configBox.end) };
  return {
    brands,
    itemType: primary.type,
    width: size.width,
    height: size.height,
    transforms: transformsOf(bytes, primary),
    grid,
    config,
    otherSizes,
  };
}
