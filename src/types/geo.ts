/**
 * Geospatial indexing on sorted sets, computed exactly as Valkey's `geohash.c`,
 * `geohash_helper.c` and `geo.c` do, so that scores, positions, hashes, distances and the set of
 * members a search visits are the same as Valkey's.
 *
 * A position is stored as a sorted set score: longitude and latitude are scaled to 26-bit
 * integers over [-180, 180] and [-85.05112878, 85.05112878] and their bits are interleaved
 * (latitude in the even bits, longitude in the odd bits) into a 52-bit integer. A radius or box
 * search estimates a geohash precision from the radius, takes the cell holding the centre and
 * its eight neighbours (dropping neighbours the bounding box cannot reach), turns each cell into
 * a score range and filters the members of those ranges by the exact distance.
 *
 * The bit manipulations work on 32-bit halves (hot paths) or on bigints (the few neighbour
 * computations per search), because the interleaved value needs 64-bit integer arithmetic.
 *
 * @module
 */
import { scoreLteMax, type ZSet } from "./zset.ts";
import { formatLongDoubleHuman, longDoubleFromNumber } from "../util/number.ts";

/** Smallest longitude Valkey accepts. */
export const GEO_LONG_MIN = -180;
/** Largest longitude Valkey accepts. */
export const GEO_LONG_MAX = 180;
/** Smallest latitude Valkey accepts (the Web Mercator limit). */
export const GEO_LAT_MIN = -85.05112878;
/** Largest latitude Valkey accepts. */
export const GEO_LAT_MAX = 85.05112878;
/** Bits per coordinate in a stored score. */
export const GEO_STEP_MAX = 26;
/** Earth's quadratic mean radius in meters, as Valkey uses for every distance. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;

const MERCATOR_MAX = 20037726.37;
/** Valkey's `D_R` (M_PI / 180.0). */
const D_R = Math.PI / 180.0;
const TWO_32 = 4294967296;

/** A geohash cell: `step` bits per coordinate, interleaved in `bits`. */
export interface GeoHashBits {
  readonly bits: bigint;
  readonly step: number;
}

/** The longitude/latitude rectangle a geohash cell covers. */
export interface GeoArea {
  readonly lonMin: number;
  readonly lonMax: number;
  readonly latMin: number;
  readonly latMax: number;
}

/** A search area: a circle (`radius`) or an axis-aligned box (`width` x `height`). */
export type GeoShape =
  | {
    readonly kind: "circle";
    /** Centre longitude. */
    readonly lon: number;
    /** Centre latitude. */
    readonly lat: number;
    /** Radius in the request's unit. */
    readonly radius: number;
    /** Meters per unit. */
    readonly conversion: number;
  }
  | {
    readonly kind: "box";
    readonly lon: number;
    readonly lat: number;
    /** Width in the request's unit. */
    readonly width: number;
    /** Height in the request's unit. */
    readonly height: number;
    readonly conversion: number;
  };

/** One search hit, as Valkey's `geoPoint`. */
export interface GeoPoint {
  readonly member: string;
  /** Distance from the centre in meters (divide by the unit's conversion to report it). */
  readonly dist: number;
  /** The stored score (the 52-bit geohash). */
  readonly score: number;
  readonly lon: number;
  readonly lat: number;
}

// --- bit interleaving ------------------------------------------------------------------------

/** Spreads the low 16 bits of `x` to the even bits of a 32-bit word. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function gather16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/**
 * Valkey's `interleave64(lat, lon)` on two uint32 values: latitude bits in the even positions,
 * longitude bits in the odd positions. @returns the 64-bit result as [high, low] uint32 words
 */
function interleave(lat: number, lon: number): [number, number] {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return [hi, lo];
}

/** Valkey's `deinterleave64`: @returns [lat, lon] as uint32 values */
function deinterleave(hi: number, lo: number): [number, number] {
  const lat = (gather16(lo) | (gather16(hi) << 16)) >>> 0;
  const lon = (gather16(lo >>> 1) | (gather16(hi >>> 1) << 16)) >>> 0;
  return [lat, lon];
}

/**
 * Scales a coordinate pair to `step`-bit cell indexes over the given ranges, as
 * `geohashEncode` does (C truncates the scaled doubles to uint32).
 * @returns [lat index, lon index], or undefined outside the ranges
 */
function cellIndexes(
  lon: number,
  lat: number,
  step: number,
  lonMin: number,
  lonMax: number,
  latMin: number,
  latMax: number,
): [number, number] | undefined {
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return undefined;
  if (lat < latMin || lat > latMax || lon < lonMin || lon > lonMax) return undefined;
  let latOffset = (lat - latMin) / (latMax - latMin);
  let lonOffset = (lon - lonMin) / (lonMax - lonMin);
  const scale = 2 ** step;
  latOffset *= scale;
  lonOffset *= scale;
  return [Math.trunc(latOffset) >>> 0, Math.trunc(lonOffset) >>> 0];
}

/** `geohashEncodeWGS84` as a bigint cell (undefined outside the valid ranges). */
export function encodeCell(lon: number, lat: number, step: number): GeoHashBits | undefined {
  const idx = cellIndexes(lon, lat, step, GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX);
  if (idx === undefined) return undefined;
  const [hi, lo] = interleave(idx[0], idx[1]);
  return { bits: (BigInt(hi) << 32n) | BigInt(lo), step };
}

/**
 * The score GEOADD stores for a position: the 52-bit geohash, converted to the nearest double
 * as Valkey's round trip through a decimal string does. Undefined outside the valid ranges.
 */
export function geoScore(lon: number, lat: number): number | undefined {
  const idx = cellIndexes(lon, lat, GEO_STEP_MAX, GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX);
  if (idx === undefined) return undefined;
  const [hi, lo] = interleave(idx[0], idx[1]);
  // One correctly rounded addition: equals the nearest double to the 64-bit integer.
  return hi * TWO_32 + lo;
}

/** True when a longitude/latitude pair is inside the range GEOADD accepts. */
export function validLonLat(lon: number, lat: number): boolean {
  return !(lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX);
}

/** C's `(uint64_t)` conversion of a double on x86-64, as 32-bit words [high, low]. */
function toUint64Words(score: number): [number, number] {
  if (score >= 0 && score < 2 ** 53) {
    const v = Math.trunc(score);
    const hi = Math.floor(v / TWO_32);
    return [hi, v - hi * TWO_32];
  }
  // Out-of-range conversions produce the "integer indefinite" value, as the CPU does.
  const INDEFINITE = 1n << 63n;
  let v: bigint;
  if (Number.isNaN(score)) {
    v = INDEFINITE;
  } else if (score < 2 ** 63) {
    v = score >= -(2 ** 63) ? BigInt.asUintN(64, BigInt(Math.trunc(score))) : INDEFINITE;
  } else {
    const y = score - 2 ** 63;
    v = y < 2 ** 63 ? BigInt(Math.trunc(y)) ^ INDEFINITE : 0n;
  }
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/** `geohashDecode` of a cell given as uint32 indexes, over Valkey's WGS84 ranges. */
function cellArea(latIdx: number, lonIdx: number, step: number): GeoArea {
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const div = 2 ** step;
  // (idx + 1) is computed in uint32 arithmetic in C and wraps.
  const latNext = (latIdx + 1) >>> 0;
  const lonNext = (lonIdx + 1) >>> 0;
  return {
    latMin: GEO_LAT_MIN + (latIdx * 1.0 / div) * latScale,
    latMax: GEO_LAT_MIN + (latNext * 1.0 / div) * latScale,
    lonMin: GEO_LONG_MIN + (lonIdx * 1.0 / div) * lonScale,
    lonMax: GEO_LONG_MIN + (lonNext * 1.0 / div) * lonScale,
  };
}

/** `geohashDecode` of a bigint cell. */
function decodeCell(h: GeoHashBits): GeoArea {
  const [lat, lon] = deinterleave(Number(h.bits >> 32n), Number(h.bits & 0xffffffffn));
  return cellArea(lat, lon, h.step);
}

/** The centre of an area, clamped to the valid ranges (`geohashDecodeAreaToLongLat`). */
function areaCentre(a: GeoArea): [number, number] {
  let x = (a.lonMin + a.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (a.latMin + a.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/**
 * The position a score stands for (Valkey's `decodeGeohash`), as [longitude, latitude]. Any
 * score decodes, like in Valkey: scores that GEOADD did not write give clamped garbage.
 */
export function decodeScore(score: number): [number, number] {
  const [hi, lo] = toUint64Words(score);
  const [lat, lon] = deinterleave(hi, lo);
  return areaCentre(cellArea(lat, lon, GEO_STEP_MAX));
}

const GEO_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

/**
 * GEOHASH's 11-character string for a score: the position is decoded and re-encoded over the
 * standard [-90, 90] latitude range, and the 52 bits give 10 base32 characters plus a `0`.
 * Undefined when the re-encoding fails (a position outside the standard ranges).
 */
export function geohashString(score: number): string | undefined {
  const [lon, lat] = decodeScore(score);
  const idx = cellIndexes(lon, lat, GEO_STEP_MAX, -180, 180, -90, 90);
  if (idx === undefined) return undefined;
  const [hi, lo] = interleave(idx[0], idx[1]);
  const bits = (BigInt(hi) << 32n) | BigInt(lo);
  let out = "";
  for (let i = 0; i < 11; i++) {
    const v = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    out += GEO_ALPHABET[v];
  }
  return out;
}

// --- distances ------------------------------------------------------------------------------

function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

/** Distance along a meridian (`geohashGetLatDistance`). */
function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** Haversine great-circle distance in meters (`geohashGetDistance`). */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * Formats a distance with 4 decimals as Valkey's `fixedpoint_d2string` does: the value times
 * 10^4 rounded half-to-even (`llrint`), printed as a fixed-point number.
 */
export function formatDistance(d: number): string {
  if (d === 0) return "0.0000";
  const x = d * 10000.0;
  let r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) r -= 1;
  const neg = r < 0;
  const v = Math.abs(r);
  const int = Math.floor(v / 10000);
  const frac = String(v - int * 10000).padStart(4, "0");
  return (neg ? "-" : "") + int + "." + frac;
}

/** Formats a coordinate as Valkey's `addReplyHumanLongDouble`: `%.17Lf` without trailing zeros. */
export function formatCoord(v: number): string {
  return formatLongDoubleHuman(longDoubleFromNumber(v));
}

/** C's `%f`: exactly rounded (half-to-even on the binary value) to 6 decimals, `inf`/`-inf`. */
export function formatFixed6(v: number): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Number.isNaN(v)) return "nan";
  const ld = longDoubleFromNumber(v);
  let scaled: bigint;
  if (ld.m === 0n) {
    scaled = 0n;
  } else if (ld.e >= 0) {
    scaled = (ld.m << BigInt(ld.e)) * 1000000n;
  } else {
    const num = ld.m * 1000000n;
    const sh = BigInt(-ld.e);
    scaled = num >> sh;
    const rem = num - (scaled << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (scaled & 1n) === 1n)) scaled += 1n;
  }
  let digits = scaled.toString().padStart(7, "0");
  digits = digits.slice(0, -6) + "." + digits.slice(-6);
  return (ld.neg ? "-" : "") + digits;
}

// --- search ---------------------------------------------------------------------------------

/** Valkey's `geohashEstimateStepsByRadius`. */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** Valkey's `geohashBoundingBox`: [minLon, minLat, maxLon, maxLat]. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  let height: number;
  let width: number;
  if (shape.kind === "circle") {
    height = shape.conversion * shape.radius;
    width = shape.conversion * shape.radius;
  } else {
    height = shape.conversion * shape.height / 2;
    width = shape.conversion * shape.width / 2;
  }
  const lon = shape.lon;
  const lat = shape.lat;
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat - latDelta)));
  const southern = lat < 0;
  return [
    southern ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lat - latDelta,
    southern ? lon + lonDeltaBottom : lon + lonDeltaTop,
    lat + latDelta,
  ];
}

const MASK64 = (1n << 64n) - 1n;
const EVEN_BITS = 0x5555555555555555n;
const ODD_BITS = 0xaaaaaaaaaaaaaaaan;

/** `geohash_move_x`: one cell east (d > 0) or west (d < 0). */
function moveX(h: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return h;
  let x = h.bits & ODD_BITS;
  const y = h.bits & EVEN_BITS;
  const zz = EVEN_BITS >> BigInt(64 - h.step * 2);
  if (d > 0) {
    x = (x + (zz + 1n)) & MASK64;
  } else {
    x = x | zz;
    x = (x - (zz + 1n)) & MASK64;
  }
  x &= ODD_BITS >> BigInt(64 - h.step * 2);
  return { bits: x | y, step: h.step };
}

/** `geohash_move_y`: one cell north (d > 0) or south (d < 0). */
function moveY(h: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return h;
  const x = h.bits & ODD_BITS;
  let y = h.bits & EVEN_BITS;
  const zz = ODD_BITS >> BigInt(64 - h.step * 2);
  if (d > 0) {
    y = (y + (zz + 1n)) & MASK64;
  } else {
    y = y | zz;
    y = (y - (zz + 1n)) & MASK64;
  }
  y &= EVEN_BITS >> BigInt(64 - h.step * 2);
  return { bits: x | y, step: h.step };
}

/** A cell Valkey zeroes out (`GZERO`) to skip it. */
const ZERO_CELL: GeoHashBits = { bits: 0n, step: 0 };

/**
 * The nine cells a search visits, in Valkey's order: centre, north, south, east, west,
 * north-east, north-west, south-east, south-west (`geohashCalculateAreasByShapeWGS84`).
 * Skipped cells are {@link ZERO_CELL}.
 */
export function searchCells(shape: GeoShape): GeoHashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const lon = shape.lon;
  const lat = shape.lat;
  let radiusMeters = shape.kind === "circle"
    ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;

  let steps = estimateSteps(radiusMeters, lat);
  const encode = (s: number): GeoHashBits => encodeCell(lon, lat, s) ?? { bits: 0n, step: s };
  let hash = encode(steps);
  let n = neighbours(hash);
  let area = decodeCell(hash);

  let decrease = false;
  if (decodeCell(n.north).latMax < maxLat) decrease = true;
  if (decodeCell(n.south).latMin > minLat) decrease = true;
  if (decodeCell(n.east).lonMax < maxLon) decrease = true;
  if (decodeCell(n.west).lonMin > minLon) decrease = true;
  if (steps > 1 && decrease) {
    steps--;
    hash = encode(steps);
    n = neighbours(hash);
    area = decodeCell(hash);
  }

  if (steps >= 2) {
    if (area.latMin < minLat) {
      n.south = ZERO_CELL;
      n.southWest = ZERO_CELL;
      n.southEast = ZERO_CELL;
    }
    if (area.latMax > maxLat) {
      n.north = ZERO_CELL;
      n.northEast = ZERO_CELL;
      n.northWest = ZERO_CELL;
    }
    if (area.lonMin < minLon) {
      n.west = ZERO_CELL;
      n.southWest = ZERO_CELL;
      n.northWest = ZERO_CELL;
    }
    if (area.lonMax > maxLon) {
      n.east = ZERO_CELL;
      n.southEast = ZERO_CELL;
      n.northEast = ZERO_CELL;
    }
  }
  return [hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}

interface Neighbours {
  north: GeoHashBits;
  south: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  northEast: GeoHashBits;
  northWest: GeoHashBits;
  southEast: GeoHashBits;
  southWest: GeoHashBits;
}

function neighbours(h: GeoHashBits): Neighbours {
  return {
    east: moveX(h, 1),
    west: moveX(h, -1),
    south: moveY(h, -1),
    north: moveY(h, 1),
    northWest: moveY(moveX(h, -1), 1),
    northEast: moveY(moveX(h, 1), 1),
    southEast: moveY(moveX(h, 1), -1),
    southWest: moveY(moveX(h, -1), -1),
  };
}

/**
 * Whether a stored score lies inside the shape (`geoWithinShape`).
 * @returns the distance from the centre in meters and the decoded position, or undefined
 */
function withinShape(shape: GeoShape, score: number): { dist: number; lon: number; lat: number } | undefined {
  const [x, y] = decodeScore(score);
  if (shape.kind === "circle") {
    const dist = geoDistance(shape.lon, shape.lat, x, y);
    if (dist > shape.radius * shape.conversion) return undefined;
    return { dist, lon: x, lat: y };
  }
  // geohashGetDistanceIfInRectangle: latitude first (cheaper), then longitude at the point's
  // latitude, then the real distance.
  const heightM = shape.height * shape.conversion;
  const widthM = shape.width * shape.conversion;
  if (latDistance(y, shape.lat) > heightM / 2) return undefined;
  if (geoDistance(x, y, shape.lon, y) > widthM / 2) return undefined;
  return { dist: geoDistance(shape.lon, shape.lat, x, y), lon: x, lat: y };
}

/**
 * The members inside a shape, in Valkey's visiting order: cell by cell (skipping a cell equal
 * to the one processed just before it), ascending score within a cell. With `limit` > 0 (COUNT
 * ANY) the search stops as soon as that many members were found.
 */
export function geoSearch(z: ZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const out: GeoPoint[] = [];
  const cells = searchCells(shape);
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (c.bits === 0n && c.step === 0) continue;
    // Valkey compares with the previously processed cell only once one other than the centre
    // was processed (its `last_processed` index starts at 0 and is tested for truth).
    if (last !== 0 && c.bits === cells[last]!.bits && c.step === cells[last]!.step) continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    const shift = BigInt(52 - c.step * 2);
    const min = Number(c.bits << shift);
    const max = Number((c.bits + 1n) << shift);
    pointsInRange(z, min, max, shape, out, limit);
    last = i;
  }
  return out;
}

/** Appends the members with min <= score < max that lie inside the shape. */
function pointsInRange(z: ZSet, min: number, max: number, shape: GeoShape, out: GeoPoint[], limit: number): void {
  const range = { min, max, minex: false, maxex: true };
  const first = z.firstInScoreRange(range);
  if (first < 0) return;
  z.walk(first, z.size - 1, (member, score) => {
    if (!scoreLteMax(score, range)) return false;
    const hit = withinShape(shape, score);
    if (hit !== undefined) out.push({ member, dist: hit.dist, score, lon: hit.lon, lat: hit.lat });
    if (out.length > 0 && limit > 0 && out.length >= limit) return false;
  });
}

// --- result ordering ------------------------------------------------------------------------

/**
 * Orders search hits by distance the way Valkey does: C's `qsort` (glibc's stable merge sort)
 * when every hit is returned, and Valkey's `pqsort` (a partial Bentley-McIlroy quicksort, not
 * stable) when COUNT keeps only the first `returned`. Hits at equal distances therefore come
 * back in the same order as from Valkey.
 */
export function sortPoints(points: GeoPoint[], desc: boolean, returned: number): void {
  const cmp = desc
    ? (a: GeoPoint, b: GeoPoint) => (a.dist > b.dist ? -1 : a.dist === b.dist ? 0 : 1)
    : (a: GeoPoint, b: GeoPoint) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
  if (returned === points.length) {
    const sorted = points.slice().sort(cmp);
    for (let i = 0; i < sorted.length; i++) points[i] = sorted[i]!;
  } else {
    pqsort(points, 0, points.length, cmp, 0, returned - 1);
  }
}

/**
 * Valkey's `pqsort`: sorts `x[a, a + n)` enough that positions `lo..hi` hold the right
 * elements, recursing only into partitions that overlap that range.
 */
function pqsort<T>(x: T[], a: number, n: number, cmp: (p: T, q: T) => number, lo: number, hi: number): void {
  const swap = (i: number, j: number) => {
    const t = x[i]!;
    x[i] = x[j]!;
    x[j] = t;
  };
  const vecswap = (i: number, j: number, k: number) => {
    for (let m = 0; m < k; m++) swap(i + m, j + m);
  };
  const med3 = (i: number, j: number, k: number): number =>
    cmp(x[i]!, x[j]!) < 0
      ? (cmp(x[j]!, x[k]!) < 0 ? j : cmp(x[i]!, x[k]!) < 0 ? k : i)
      : (cmp(x[j]!, x[k]!) > 0 ? j : cmp(x[i]!, x[k]!) < 0 ? i : k);
  for (;;) {
    if (n < 7) {
      for (let pm = a + 1; pm < a + n; pm++) {
        for (let pl = pm; pl > a && cmp(x[pl - 1]!, x[pl]!) > 0; pl--) swap(pl, pl - 1);
      }
      return;
    }
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(pl, pl + d, pl + 2 * d);
        pm = med3(pm - d, pm, pm + d);
        pn = med3(pn - 2 * d, pn - d, pn);
      }
      pm = med3(pl, pm, pn);
    }
    swap(a, pm);
    let pa = a + 1;
    let pb = a + 1;
    let pc = a + n - 1;
    let pd = a + n - 1;
    for (;;) {
      let c: number;
      while (pb <= pc && (c = cmp(x[pb]!, x[a]!)) <= 0) {
        if (c === 0) swap(pa++, pb);
        pb++;
      }
      while (pb <= pc && (c = cmp(x[pc]!, x[a]!)) >= 0) {
        if (c === 0) swap(pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(pb++, pc--);
    }
    const pn = a + n;
    let r = Math.min(pa - a, pb - pa);
    vecswap(a, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && hi >= a && lo < a + r) pqsort(x, a, r, cmp, lo, hi);
    r = pd - pc;
    if (r > 1) {
      a = pn - r;
      n = r;
      if (hi >= a && lo < a + r) continue;
    }
    return;
  }
}
