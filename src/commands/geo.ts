/**
 * Geo commands (Valkey group `geo`): positions stored as sorted set scores (52-bit geohashes),
 * GEOPOS/GEODIST/GEOHASH, and the radius/box searches GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
 * GEORADIUSBYMEMBER and their read-only forms. Parsing, errors and replies follow Valkey's
 * `geo.c`; the geometry lives in `types/geo.ts`.
 *
 * @module
 */
import { cmd, type CommandSpec, type KeySpec, rangeKey } from "./spec.ts";
import { intArg } from "./args.ts";
import type { CommandContext } from "../engine/context.ts";
import { array, bulk, double, EMPTY_ARRAY, int, NULL, NULL_ARRAY, type Reply, ReplyError } from "../protocol/reply.ts";
import { E, fmt, SYNTAX } from "../protocol/errors.ts";
import { ZSet } from "../types/zset.ts";
import {
  decodeScore,
  formatCoord,
  formatDistance,
  formatFixed6,
  geoDistance,
  geohashString,
  type GeoPoint,
  geoScore,
  geoSearch,
  type GeoShape,
  sortPoints,
  validLonLat,
} from "../types/geo.ts";
import { doubleArg, parseStrictDouble, storeResult, zaddApply } from "./zset.ts";

/** Looks a key up for reading; throws WRONGTYPE for a non-zset. */
function readZset(ctx: CommandContext, key: string): ZSet | undefined {
  const v = ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSet)) throw new ReplyError(E.WRONGTYPE);
  return v;
}

/** Parses a longitude/latitude pair (Valkey's `extractLongLatOrReply`). */
function lonLatArg(lonText: string, latText: string): [number, number] {
  const lon = doubleArg(lonText);
  const lat = doubleArg(latText);
  if (!validLonLat(lon, lat)) throw new ReplyError(fmt(E.GEO_LONLAT, formatFixed6(lon), formatFixed6(lat)));
  return [lon, lat];
}

/** Meters per unit (Valkey's `extractUnitOrReply`). */
function unitArg(s: string): number {
  switch (s.toLowerCase()) {
    case "m":
      return 1;
    case "km":
      return 1000;
    case "ft":
      return 0.3048;
    case "mi":
      return 1609.34;
    default:
      throw new ReplyError(E.GEO_UNIT);
  }
}

/** `<radius> <unit>` (Valkey's `extractDistanceOrReply`). @returns [radius, conversion] */
function distanceArg(radiusText: string, unitText: string): [number, number] {
  const r = parseStrictDouble(radiusText);
  if (r === null) throw new ReplyError(E.GEO_RADIUS_NUMERIC);
  if (r < 0) throw new ReplyError(E.GEO_RADIUS_NEGATIVE);
  return [r, unitArg(unitText)];
}

/** `<width> <height> <unit>` (Valkey's `extractBoxOrReply`). @returns [width, height, conversion] */
function boxArg(widthText: string, heightText: string, unitText: string): [number, number, number] {
  const w = parseStrictDouble(widthText);
  if (w === null) throw new ReplyError(E.GEO_WIDTH_NUMERIC);
  const h = parseStrictDouble(heightText);
  if (h === null) throw new ReplyError(E.GEO_HEIGHT_NUMERIC);
  if (h < 0 || w < 0) throw new ReplyError(E.GEO_BOX_NEGATIVE);
  return [w, h, unitArg(unitText)];
}

/**
 * A coordinate as Valkey's `addReplyHumanLongDouble` sends it: a double whose RESP2 text has
 * `%.17Lf` digits without trailing zeros.
 */
function coordReply(v: number): Reply {
  return double(v, formatCoord(v));
}

function geoadd(ctx: CommandContext, argv: readonly string[]): Reply {
  let nx = false, xx = false, ch = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    if (o === "nx") nx = true;
    else if (o === "xx") xx = true;
    else if (o === "ch") ch = true;
    else break;
  }
  if ((argv.length - i) % 3 !== 0 || (xx && nx)) return SYNTAX;
  const n = (argv.length - i) / 3;
  // GEOADD becomes "ZADD key [options] score member ...", which refuses an empty pair list.
  if (n === 0) return SYNTAX;
  const scores: number[] = [];
  const zargv: string[] = argv.slice(0, i);
  let maxLen = 0;
  for (let j = 0; j < n; j++) {
    const [lon, lat] = lonLatArg(argv[i + 3 * j]!, argv[i + 3 * j + 1]!);
    const member = argv[i + 3 * j + 2]!;
    scores.push(geoScore(lon, lat)!);
    zargv.push("", member);
    if (member.length > maxLen) maxLen = member.length;
  }
  return zaddApply(ctx, argv[1]!, zargv, i, scores, maxLen, { nx, xx }, ch);
}

function geopos(ctx: CommandContext, argv: readonly string[]): Reply {
  const z = readZset(ctx, argv[1]!);
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(argv[j]!);
    if (s === undefined) {
      out.push(NULL_ARRAY);
    } else {
      const [lon, lat] = decodeScore(s);
      out.push(array([coordReply(lon), coordReply(lat)]));
    }
  }
  return array(out);
}

function geodist(ctx: CommandContext, argv: readonly string[]): Reply {
  let toMeter = 1;
  if (argv.length === 5) toMeter = unitArg(argv[4]!);
  else if (argv.length > 5) return SYNTAX;
  const z = readZset(ctx, argv[1]!);
  if (z === undefined) return NULL;
  const s1 = z.score(argv[2]!);
  const s2 = z.score(argv[3]!);
  if (s1 === undefined || s2 === undefined) return NULL;
  const [x1, y1] = decodeScore(s1);
  const [x2, y2] = decodeScore(s2);
  return bulk(formatDistance(geoDistance(x1, y1, x2, y2) / toMeter));
}

function geohash(ctx: CommandContext, argv: readonly string[]): Reply {
  const z = readZset(ctx, argv[1]!);
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(argv[j]!);
    const h = s === undefined ? undefined : geohashString(s);
    out.push(h === undefined ? NULL : bulk(h));
  }
  return array(out);
}

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

/** Mutable parse state of a search's shape. */
interface ShapeDraft {
  kind: "circle" | "box";
  lon: number;
  lat: number;
  radius: number;
  width: number;
  height: number;
  conversion: number;
}

/**
 * GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH and GEOSEARCHSTORE (Valkey's
 * `georadiusGeneric`), with its exact order of checks.
 */
function georadiusGeneric(ctx: CommandContext, argv: readonly string[], srcIdx: number, flags: number): Reply {
  const z = readZset(ctx, argv[srcIdx]!);
  const shape: ShapeDraft = { kind: "circle", lon: 0, lat: 0, radius: 0, width: 0, height: 0, conversion: 1 };
  let storeKey: string | undefined;
  let storeDist = false;
  let baseArgs: number;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    [shape.lon, shape.lat] = lonLatArg(argv[2]!, argv[3]!);
    [shape.radius, shape.conversion] = distanceArg(argv[4]!, argv[5]!);
  } else if ((flags & RADIUS_MEMBER) && z === undefined) {
    // No source key: keep parsing to know which empty reply to give.
    baseArgs = 5;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    const s = z!.score(argv[2]!);
    if (s === undefined) throw new ReplyError(E.GEO_MEMBER);
    [shape.lon, shape.lat] = decodeScore(s);
    [shape.radius, shape.conversion] = distanceArg(argv[3]!, argv[4]!);
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storeKey = argv[1]!;
    }
  }

  let withDist = false, withHash = false, withCoords = false;
  let fromMember = false, fromLoc = false, byRadius = false, byBox = false;
  let sort: "none" | "asc" | "desc" = "none";
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[baseArgs + i]!.toLowerCase();
    const search = (flags & GEOSEARCH) !== 0;
    if (arg === "withdist") {
      withDist = true;
    } else if (arg === "withhash") {
      withHash = true;
    } else if (arg === "withcoord") {
      withCoords = true;
    } else if (arg === "any") {
      any = true;
    } else if (arg === "asc") {
      sort = "asc";
    } else if (arg === "desc") {
      sort = "desc";
    } else if (arg === "count" && i + 1 < remaining) {
      count = intArg(argv[baseArgs + i + 1]!);
      if (count <= 0) throw new ReplyError(E.GEO_COUNT);
      i++;
    } else if (arg === "store" && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !search) {
      storeKey = argv[baseArgs + i + 1]!;
      storeDist = false;
      i++;
    } else if (arg === "storedist" && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !search) {
      storeKey = argv[baseArgs + i + 1]!;
      storeDist = true;
      i++;
    } else if (arg === "storedist" && search && (flags & GEOSEARCHSTORE)) {
      storeDist = true;
    } else if (arg === "frommember" && i + 1 < remaining && search && !fromLoc) {
      if (z !== undefined) {
        const s = z.score(argv[baseArgs + i + 1]!);
        if (s === undefined) throw new ReplyError(E.GEO_MEMBER);
        [shape.lon, shape.lat] = decodeScore(s);
      }
      fromMember = true;
      i++;
    } else if (arg === "fromlonlat" && i + 2 < remaining && search && !fromMember) {
      [shape.lon, shape.lat] = lonLatArg(argv[baseArgs + i + 1]!, argv[baseArgs + i + 2]!);
      fromLoc = true;
      i += 2;
    } else if (arg === "byradius" && i + 2 < remaining && search && !byBox) {
      [shape.radius, shape.conversion] = distanceArg(argv[baseArgs + i + 1]!, argv[baseArgs + i + 2]!);
      shape.kind = "circle";
      byRadius = true;
      i += 2;
    } else if (arg === "bybox" && i + 3 < remaining && search && !byRadius) {
      [shape.width, shape.height, shape.conversion] = boxArg(
        argv[baseArgs + i + 1]!,
        argv[baseArgs + i + 2]!,
        argv[baseArgs + i + 3]!,
      );
      shape.kind = "box";
      byBox = true;
      i += 3;
    } else {
      return SYNTAX;
    }
  }

  if (storeKey !== undefined && (withDist || withHash || withCoords)) {
    const what = flags & GEOSEARCHSTORE ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS";
    throw new ReplyError(fmt(E.GEO_STORE_OPTIONS, what));
  }
  if ((flags & GEOSEARCH) && !(fromMember || fromLoc)) throw new ReplyError(fmt(E.GEO_FROM, argv[0]!));
  if ((flags & GEOSEARCH) && !(byRadius || byBox)) throw new ReplyError(fmt(E.GEO_BY, argv[0]!));
  if (any && count === 0) throw new ReplyError(E.GEO_ANY);

  if (z === undefined) {
    if (storeKey !== undefined) {
      if (ctx.db.delete(storeKey)) ctx.touched(storeKey, "del");
      return int(0);
    }
    return EMPTY_ARRAY;
  }

  // COUNT without an order means "the closest N" (but ANY means "any N").
  if (count !== 0 && sort === "none" && !any) sort = "asc";

  const geoShape: GeoShape = shape.kind === "circle"
    ? { kind: "circle", lon: shape.lon, lat: shape.lat, radius: shape.radius, conversion: shape.conversion }
    : {
      kind: "box",
      lon: shape.lon,
      lat: shape.lat,
      width: shape.width,
      height: shape.height,
      conversion: shape.conversion,
    };
  const points: GeoPoint[] = geoSearch(z, geoShape, any ? count : 0);
  if (points.length === 0 && storeKey === undefined) return EMPTY_ARRAY;
  const returned = count === 0 || points.length < count ? points.length : count;
  if (sort !== "none") sortPoints(points, sort === "desc", returned);

  if (storeKey === undefined) {
    const out: Reply[] = [];
    const options = withDist || withHash || withCoords;
    for (let i = 0; i < returned; i++) {
      const p = points[i]!;
      if (!options) {
        out.push(bulk(p.member));
        continue;
      }
      const item: Reply[] = [bulk(p.member)];
      if (withDist) item.push(bulk(formatDistance(p.dist / shape.conversion)));
      if (withHash) item.push(int(Math.trunc(p.score)));
      if (withCoords) item.push(array([coordReply(p.lon), coordReply(p.lat)]));
      out.push(array(item));
    }
    return array(out);
  }

  const members: string[] = [];
  const scores: number[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < returned; i++) {
    const p = points[i]!;
    // Adjacent search cells can repeat on huge radii; a member is stored once.
    if (seen.has(p.member)) continue;
    seen.add(p.member);
    members.push(p.member);
    scores.push(storeDist ? p.dist / shape.conversion : p.score);
  }
  return storeResult(ctx, storeKey, members, scores, flags & GEOSEARCH ? "geosearchstore" : "georadiusstore");
}

function georadius(ctx: CommandContext, argv: readonly string[]): Reply {
  return georadiusGeneric(ctx, argv, 1, RADIUS_COORDS);
}

function georadiusbymember(ctx: CommandContext, argv: readonly string[]): Reply {
  return georadiusGeneric(ctx, argv, 1, RADIUS_MEMBER);
}

function georadiusRo(ctx: CommandContext, argv: readonly string[]): Reply {
  return georadiusGeneric(ctx, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE);
}

function georadiusbymemberRo(ctx: CommandContext, argv: readonly string[]): Reply {
  return georadiusGeneric(ctx, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
}

function geosearch(ctx: CommandContext, argv: readonly string[]): Reply {
  return georadiusGeneric(ctx, argv, 1, GEOSEARCH);
}

function geosearchstore(ctx: CommandContext, argv: readonly string[]): Reply {
  return georadiusGeneric(ctx, argv, 2, GEOSEARCH | GEOSEARCHSTORE);
}

/** A key spec found after a keyword (`STORE key`), searched from `startFrom`. */
function keywordKey(keyword: string, startFrom: number, flags: KeySpec["flags"]): KeySpec {
  return { begin: { keyword, startFrom }, find: { range: { last: 0, step: 1, limit: 0 } }, flags };
}

const RO = "RO ACCESS";
const RADIUS_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const SEARCH_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";

/** The geo group's command table. */
export const GEO_COMMANDS: readonly CommandSpec[] = [
  cmd("geoadd", "geo", -5, "write denyoom", "geo", [rangeKey(1, 0, 1, "RW UPDATE")], "3.2.0", geoadd, {
    complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    summary: "Adds members with longitude/latitude positions to a geospatial index (a sorted set).",
  }),
  cmd("geodist", "geo", -4, "readonly", "geo", [rangeKey(1, 0, 1, RO)], "3.2.0", geodist, {
    complexity: "O(1)",
    summary: "Returns the distance between two members of a geospatial index.",
  }),
  cmd("geohash", "geo", -2, "readonly", "geo", [rangeKey(1, 0, 1, RO)], "3.2.0", geohash, {
    complexity: "O(1) for each member requested.",
    summary: "Returns members' positions as standard geohash strings.",
  }),
  cmd("geopos", "geo", -2, "readonly", "geo", [rangeKey(1, 0, 1, RO)], "3.2.0", geopos, {
    complexity: "O(1) for each member requested.",
    summary: "Returns the longitude and latitude of members of a geospatial index.",
  }),
  cmd(
    "georadius",
    "geo",
    -6,
    "write denyoom",
    "geo",
    [rangeKey(1, 0, 1, RO), keywordKey("STORE", 6, ["OW", "UPDATE"]), keywordKey("STOREDIST", 6, ["OW", "UPDATE"])],
    "3.2.0",
    georadius,
    {
      complexity: RADIUS_COMPLEXITY,
      summary: "Finds members within a radius of a position, optionally storing them in a key.",
    },
  ),
  cmd("georadius_ro", "geo", -6, "readonly", "geo", [rangeKey(1, 0, 1, RO)], "3.2.10", georadiusRo, {
    complexity: RADIUS_COMPLEXITY,
    summary: "Finds members within a radius of a position.",
  }),
  cmd(
    "georadiusbymember",
    "geo",
    -5,
    "write denyoom",
    "geo",
    [rangeKey(1, 0, 1, RO), keywordKey("STORE", 5, ["OW", "UPDATE"]), keywordKey("STOREDIST", 5, ["OW", "UPDATE"])],
    "3.2.0",
    georadiusbymember,
    {
      complexity: RADIUS_COMPLEXITY,
      summary: "Finds members within a radius of another member, optionally storing them in a key.",
    },
  ),
  cmd("georadiusbymember_ro", "geo", -5, "readonly", "geo", [rangeKey(1, 0, 1, RO)], "3.2.10", georadiusbymemberRo, {
    complexity: RADIUS_COMPLEXITY,
    summary: "Finds members within a radius of another member.",
  }),
  cmd("geosearch", "geo", -7, "readonly", "geo", [rangeKey(1, 0, 1, RO)], "6.2.0", geosearch, {
    complexity: SEARCH_COMPLEXITY,
    summary: "Finds members inside a circle or a box around a position or a member.",
  }),
  cmd(
    "geosearchstore",
    "geo",
    -8,
    "write denyoom",
    "geo",
    [rangeKey(1, 0, 1, "OW UPDATE"), rangeKey(2, 0, 1, RO)],
    "6.2.0",
    geosearchstore,
    {
      complexity: SEARCH_COMPLEXITY,
      summary: "Stores the members inside a circle or a box around a position or a member in a key.",
    },
  ),
];
