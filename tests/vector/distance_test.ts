/**
 * The distance kernels: the hand-assembled WebAssembly SIMD module validates and loads, and both
 * kernels agree with a double-precision reference on every metric and on dimensions that are
 * not multiples of the SIMD width.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Arena, assembleKernel, Distance, kernelModule, type Metric } from "../../src/vector/distance.ts";
import { exactDist, rng } from "./_data.ts";

describe("assembleKernel", () => {
  it("produces a module WebAssembly.validate accepts, exporting memory and four kernels", () => {
    const bytes = assembleKernel();
    assert.equal(WebAssembly.validate(bytes), true);
    const mod = new WebAssembly.Module(bytes);
    const names = WebAssembly.Module.exports(mod).map((e) => e.name).sort();
    assert.deepEqual(names, ["ip", "ipb", "l2", "l2b", "memory"]);
  });

  it("is compiled once and reused", () => {
    assert.ok(kernelModule() !== null);
    assert.equal(kernelModule(), kernelModule());
  });
});

for (const kernel of ["wasm-simd", "ts"] as const) {
  describe(`Distance (${kernel} kernel)`, () => {
    for (const metric of ["L2", "IP", "COSINE"] as Metric[]) {
      for (const dim of [1, 3, 4, 16, 17, 128, 131]) {
        it(`computes ${metric} at dim ${dim} like a float64 reference, pairwise and batched`, () => {
          const r = rng(dim * 7 + metric.length);
          const arena = new Arena(kernel);
          assert.equal(arena.kernel, kernel);
          const d = new Distance(arena, dim, metric);
          const vecs = Array.from({ length: 6 }, () => Float32Array.from({ length: dim }, () => r() * 2 - 1));
          if (metric === "COSINE") {
            // Stored COSINE vectors are unit length; normalise as the slots do.
            for (const v of vecs) {
              const n = Math.hypot(...v);
              for (let i = 0; i < dim; i++) v[i] = v[i]! / n;
            }
          }
          const offs = vecs.map((v) => {
            const o = arena.alloc(d.stride);
            arena.f32.set(v, o);
            return o;
          });
          for (let i = 1; i < vecs.length; i++) {
            const want = exactDist(metric === "COSINE" ? "IP" : metric, vecs[0]!, vecs[i]!);
            const got = d.pair(offs[0]!, offs[i]!);
            assert.ok(Math.abs(got - want) < 1e-4 * Math.max(1, Math.abs(want)), `${got} vs ${want}`);
            assert.equal(got, Math.fround(got), "distances are float32 values");
          }
          const list = arena.alloc(8);
          const out = arena.alloc(8);
          for (let i = 1; i < vecs.length; i++) arena.u32[list + i - 1] = offs[i]! << 2;
          d.batch(offs[0]!, list, vecs.length - 1, out);
          for (let i = 1; i < vecs.length; i++) {
            assert.ok(Math.abs(arena.f32[out + i - 1]! - d.pair(offs[0]!, offs[i]!)) < 1e-6);
          }
        });
      }
    }

    it("keeps vectors readable after the memory grows", () => {
      const arena = new Arena(kernel);
      const first = arena.alloc(4);
      arena.f32.set([1, 2, 3, 4], first);
      arena.alloc(1 << 20);
      assert.deepEqual([...arena.f32.subarray(first, first + 4)], [1, 2, 3, 4]);
      assert.ok(arena.byteLength >= (1 << 22));
    });

    it("aligns an allocation to the requested number of floats, leaving earlier ones in place", () => {
      const arena = new Arena(kernel);
      const a = arena.alloc(3);
      arena.f32.set([7, 8, 9], a);
      const b = arena.alloc(128, 16);
      assert.equal(b % 16, 0);
      assert.ok(b >= a + 4);
      assert.equal(arena.alloc(1) % 4, 0);
      assert.deepEqual([...arena.f32.subarray(a, a + 3)], [7, 8, 9]);
    });

    it("batch results do not depend on how many vectors share the call", () => {
      const arena = new Arena(kernel);
      const d = new Distance(arena, 128, "L2");
      const n = 40;
      const base = arena.alloc(n * d.stride, 16);
      for (let i = 0; i < n * d.stride; i++) arena.f32[base + i] = Math.sin(i * 0.37);
      const list = arena.alloc(n);
      const out = arena.alloc(n);
      for (let i = 1; i < n; i++) arena.u32[list + i - 1] = (base + i * d.stride) << 2;
      d.batch(base, list, n - 1, out);
      const all = [...arena.f32.subarray(out, out + n - 1)];
      for (let i = 1; i < n; i++) {
        assert.equal(all[i - 1], d.pair(base, base + i * d.stride));
        arena.u32[list] = (base + i * d.stride) << 2;
        d.batch(base, list, 1, out);
        assert.equal(arena.f32[out], all[i - 1]);
      }
    });
  });
}
