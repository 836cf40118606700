import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeScore,
  encodeCell,
  estimateSteps,
  formatCoord,
  formatDistance,
  formatFixed6,
  geoDistance,
  geohashString,
  geoScore,
  geoSearch,
  searchCells,
  validLonLat,
} from "../../src/types/geo.ts";
import { ZSet } from "../../src/types/zset.ts";

// Expected values below were read from redis-server 7.0 (the geo algorithms are unchanged in
// Valkey 8).

describe("geoScore", () => {
  it("encodes positions as the 52-bit scores GEOADD stores", () => {
    assert.equal(geoScore(13.361389, 38.115556), 3479099956230698);
    assert.equal(geoScore(15.087269, 37.502669), 3479447370796909);
    assert.equal(geoScore(0, 0), 3377699720527872);
    assert.equal(geoScore(-180, -85.05112878), 0);
  });

  it("overflows into bits 52 and 53 at the maximum longitude and latitude, as Valkey does", () => {
    assert.equal(geoScore(180, 85.05112878), 13510798882111488);
    assert.equal(geoScore(180, 0), 10133099161583616);
  });

  it("rejects positions outside the Web Mercator range", () => {
    assert.equal(geoScore(180.0000001, 0), undefined);
    assert.equal(geoScore(0, 85.06), undefined);
    assert.ok(!validLonLat(-181, 0));
    assert.ok(!validLonLat(0, -85.05112879));
    assert.ok(validLonLat(-180, -85.05112878));
  });
});

describe("decodeScore", () => {
  it("decodes to the cell centre, printed with Valkey's %.17Lf digits", () => {
    const [lon, lat] = decodeScore(3479099956230698);
    assert.equal(formatCoord(lon), "13.36138933897018433");
    assert.equal(formatCoord(lat), "38.11555639549629859");
    const [lon2, lat2] = decodeScore(3479447370796909);
    assert.equal(formatCoord(lon2), "15.08726745843887329");
    assert.equal(formatCoord(lat2), "37.50266842333162032");
    const [lon3, lat3] = decodeScore(3377699720527872);
    assert.equal(formatCoord(lon3), "0.00000268220901489");
    assert.equal(formatCoord(lat3), "0.00000126736058093");
  });

  it("clamps to the valid range", () => {
    const [lon, lat] = decodeScore(13510798882111488);
    assert.equal(formatCoord(lon), "180");
    assert.equal(formatCoord(lat), "85.0511287799999991");
  });

  it("decodes scores GEOADD never writes like C's (uint64_t) cast does", () => {
    const [lon, lat] = decodeScore(-5);
    assert.equal(formatCoord(lon), "180");
    assert.equal(formatCoord(lat), "85.0511287799999991");
    for (const s of [1e30, 0.5]) {
      const [x, y] = decodeScore(s);
      assert.equal(formatCoord(x), "-179.99999731779098511");
      assert.equal(formatCoord(y), "-85.05112751263942528");
    }
  });
});

describe("geohashString", () => {
  it("re-encodes over [-90, 90] into 11 base32 characters", () => {
    assert.equal(geohashString(3479099956230698), "sqc8b49rny0");
    assert.equal(geohashString(3479447370796909), "sqdtr74hyu0");
    assert.equal(geohashString(3377699720527872), "s0000000000");
    assert.equal(geohashString(13510798882111488), "bp05b5048p0");
    assert.equal(geohashString(10133099161583616), "80000000000");
    assert.equal(geohashString(0), "00bh0hbj200");
  });
});

describe("geoDistance", () => {
  it("uses the haversine formula with Valkey's earth radius", () => {
    const [x1, y1] = decodeScore(3479099956230698);
    const [x2, y2] = decodeScore(3479447370796909);
    const d = geoDistance(x1, y1, x2, y2);
    assert.equal(formatDistance(d), "166274.1516");
    assert.equal(formatDistance(d / 1000), "166.2742");
    assert.equal(formatDistance(d / 1609.34), "103.3182");
    assert.equal(formatDistance(d / 0.3048), "545518.8700");
  });

  it("measures along a meridian when the longitudes are equal", () => {
    const [x1, y1] = decodeScore(geoScore(10, 0)!);
    const [x2, y2] = decodeScore(geoScore(10, 1)!);
    assert.equal(formatDistance(geoDistance(x1, y1, x2, y2)), "111226.0989");
    assert.equal(geoDistance(10, 5, 10, 5), 0);
  });
});

describe("formatDistance", () => {
  it("prints 4 decimals rounding half to even, and 0.0000 for zero", () => {
    assert.equal(formatDistance(0), "0.0000");
    assert.equal(formatDistance(1.5), "1.5000");
    assert.equal(formatDistance(0.00005), "0.0000");
    assert.equal(formatDistance(0.00025), "0.0002");
    assert.equal(formatDistance(0.00035), "0.0004");
    assert.equal(formatDistance(12345.67891), "12345.6789");
  });
});

describe("formatFixed6", () => {
  it("prints like C's %f, rounding the exact binary value half to even", () => {
    assert.equal(formatFixed6(200), "200.000000");
    assert.equal(formatFixed6(-0.5), "-0.500000");
    assert.equal(formatFixed6(0.0078125), "0.007812");
    assert.equal(formatFixed6(85.05112879), "85.051129");
    assert.equal(formatFixed6(Infinity), "inf");
    assert.equal(formatFixed6(-Infinity), "-inf");
    assert.equal(formatFixed6(1e22), "10000000000000000000000.000000");
  });
});

describe("search geometry", () => {
  it("estimates the cell precision from the radius and latitude", () => {
    assert.equal(estimateSteps(0, 0), 26);
    assert.equal(estimateSteps(100000, 0), 7);
    assert.equal(estimateSteps(100000, 70), 6);
    assert.equal(estimateSteps(100000, -85), 5);
    assert.equal(estimateSteps(1e9, 0), 1);
    assert.equal(estimateSteps(0.01, 0), 26);
  });

  it("visits the centre cell and the neighbours the bounding box reaches", () => {
    const cells = searchCells({ kind: "circle", lon: 15, lat: 37, radius: 200, conversion: 1000 });
    assert.equal(cells.length, 9);
    assert.deepEqual(cells[0], encodeCell(15, 37, cells[0]!.step));
    assert.ok(cells.every((c) => c.step === cells[0]!.step || c.step === 0));
  });

  it("finds the members inside a circle and a box, cell by cell", () => {
    const z = ZSet.create(0, 0, { maxEntries: 128, maxValue: 64 });
    const limits = { maxEntries: 128, maxValue: 64 };
    z.add("Palermo", 3479099956230698, {}, limits);
    z.add("Catania", 3479447370796909, {}, limits);
    z.add("far", geoScore(-70, -30)!, {}, limits);
    const near = geoSearch(z, { kind: "circle", lon: 15, lat: 37, radius: 100, conversion: 1000 }, 0);
    assert.deepEqual(near.map((p) => p.member), ["Catania"]);
    assert.equal(formatDistance(near[0]!.dist / 1000), "56.4413");
    const both = geoSearch(z, { kind: "circle", lon: 15, lat: 37, radius: 200, conversion: 1000 }, 0);
    assert.deepEqual(both.map((p) => p.member).sort(), ["Catania", "Palermo"]);
    const box = geoSearch(z, { kind: "box", lon: 15, lat: 37, width: 400, height: 400, conversion: 1000 }, 0);
    assert.deepEqual(box.map((p) => p.member).sort(), ["Catania", "Palermo"]);
    const narrow = geoSearch(z, { kind: "box", lon: 15, lat: 37, width: 400, height: 10, conversion: 1000 }, 0);
    assert.deepEqual(narrow, []);
    const any = geoSearch(z, { kind: "circle", lon: 15, lat: 37, radius: 200, conversion: 1000 }, 1);
    assert.equal(any.length, 1);
  });
});
