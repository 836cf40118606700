/**
 * Distance kernels and the linear memory vectors live in.
 *
 * Vectors are stored as float32 in one linear memory per index (an {@link Arena}): a
 * WebAssembly memory when the runtime has WebAssembly SIMD, a plain growable ArrayBuffer
 * otherwise. Two kernels compute distances over it:
 *
 * - `wasm-simd`: a hand-assembled WebAssembly module (f32x4 lanes, four accumulators, 16
 *   floats per iteration) built from the bytes below at load time. No toolchain and no build
 *   step: {@link assembleKernel} writes the module byte by byte, so it loads unchanged on Deno,
 *   Bun and Node, inside `bun build --compile` and the esbuild Node bundle.
 * - `ts`: a plain TypeScript loop over a Float32Array view of the same memory.
 *
 * Which one is faster depends on the runtime's JS-to-wasm call cost and its JIT; the choice
 * per runtime comes from `bench/vector.ts` (see {@link preferredKernel}).
 *
 * Distances follow valkey-search (hnswlib's spaces): L2 is the squared euclidean distance;
 * IP and COSINE are `1 - dot` (COSINE vectors are normalised before they are stored).
 *
 * @module
 */

/** Distance metrics of valkey-search. */
export type Metric = "L2" | "IP" | "COSINE";

/** Kernel implementations. */
export type KernelName = "wasm-simd" | "ts";

// ---------------------------------------------------------------------------------------
// A tiny WebAssembly assembler: just the instructions the kernels need.

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (small constants only). */
function sleb(n: number): number[] {
  const out: number[] = [];
  while (true) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  return [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  sub: [0x6b],
  and: [0x71],
  shl: [0x74],
  eqz: [0x45],
  geU: [0x4f],
  ltU: [0x49],
  loadI32: [0x28, 2, 0],
  storeI32: [0x36, 2, 0],
  storeF32: [0x38, 2, 0],
  addF32: [0x92],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  call: (f: number) => [0x10, ...uleb(f)],
  // SIMD: 0xfd prefix, then the opcode as an unsigned LEB128.
  v128Load: (offset: number) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Sub: [0xfd, ...uleb(0xe5)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
  lane: (l: number) => [0xfd, ...uleb(0x1f), l],
};

/**
 * One pairwise kernel `(a, b, n) -> f32` over byte offsets `a`, `b` and `n` floats (a multiple
 * of 4). `l2` sums (a-b)^2, otherwise a*b. Locals: 3 end16, 4 end, 5..8 accumulators, 9 tmp.
 */
function pairBody(l2: boolean): number[] {
  const term = (off: number, acc: number): number[] =>
    l2
      ? [
        ...op.get(0),
        ...op.v128Load(off),
        ...op.get(1),
        ...op.v128Load(off),
        ...op.f32x4Sub,
        ...op.tee(9),
        ...op.get(9),
        ...op.f32x4Mul,
        ...op.get(acc),
        ...op.f32x4Add,
        ...op.set(acc),
      ]
      : [
        ...op.get(0),
        ...op.v128Load(off),
        ...op.get(1),
        ...op.v128Load(off),
        ...op.f32x4Mul,
        ...op.get(acc),
        ...op.f32x4Add,
        ...op.set(acc),
      ];
  const code = [
    // end = a + n*4; end16 = a + (n & ~15)*4
    ...op.get(0),
    ...op.get(2),
    ...op.i32(2),
    ...op.shl,
    ...op.add,
    ...op.set(4),
    ...op.get(0),
    ...op.get(2),
    ...op.i32(-16),
    ...op.and,
    ...op.i32(2),
    ...op.shl,
    ...op.add,
    ...op.set(3),
    // 16 floats per iteration, four independent accumulators.
    ...op.block,
    ...op.loop,
    ...op.get(0),
    ...op.get(3),
    ...op.geU,
    ...op.brIf(1),
    ...term(0, 5),
    ...term(16, 6),
    ...term(32, 7),
    ...term(48, 8),
    ...op.get(0),
    ...op.i32(64),
    ...op.add,
    ...op.set(0),
    ...op.get(1),
    ...op.i32(64),
    ...op.add,
    ...op.set(1),
    ...op.br(0),
    ...op.end,
    ...op.end,
    // The rest, 4 floats at a time.
    ...op.block,
    ...op.loop,
    ...op.get(0),
    ...op.get(4),
    ...op.geU,
    ...op.brIf(1),
    ...term(0, 5),
    ...op.get(0),
    ...op.i32(16),
    ...op.add,
    ...op.set(0),
    ...op.get(1),
    ...op.i32(16),
    ...op.add,
    ...op.set(1),
    ...op.br(0),
    ...op.end,
    ...op.end,
    // Horizontal sum of (acc0 + acc1) + (acc2 + acc3).
    ...op.get(5),
    ...op.get(6),
    ...op.f32x4Add,
    ...op.get(7),
    ...op.get(8),
    ...op.f32x4Add,
    ...op.f32x4Add,
    ...op.tee(9),
    ...op.lane(0),
    ...op.get(9),
    ...op.lane(1),
    ...op.addF32,
    ...op.get(9),
    ...op.lane(2),
    ...op.get(9),
    ...op.lane(3),
    ...op.addF32,
    ...op.addF32,
    ...op.end,
  ];
  const locals = vec([[2, I32], [5, V128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/**
 * A batch kernel `(q, offs, count, n, out)`: for each of `count` u32 byte offsets at `offs`,
 * stores `pair(q, offset, n)` as f32 at `out`. One JS-to-wasm call per neighbour list instead
 * of one per distance.
 *
 * Before computing anything it reads one word of every cache line of every listed vector
 * (storing it to `out`, which the results overwrite, so no engine can drop the load). WebAssembly
 * has no prefetch instruction; these loads do its job. A graph walk's vectors are scattered over
 * the whole index, so each is a cache miss: computed one after another, every miss waits for the
 * previous distance, while loads issued back to back overlap in the memory system. Measured on
 * the 100k x 128 benchmark set, ef 20: search time down by a third on Deno, Bun and Node (for
 * example 60 -> 37 us on Deno; see bench/README.md).
 *
 * Locals: 5 line address, 6 end of the vector, 7 list cursor, 8 end of the list.
 */
function batchBody(pairFn: number): number[] {
  const touch = [
    ...op.get(1),
    ...op.set(7),
    ...op.get(1),
    ...op.get(2),
    ...op.i32(2),
    ...op.shl,
    ...op.add,
    ...op.set(8),
    ...op.block,
    ...op.loop,
    ...op.get(7),
    ...op.get(8),
    ...op.geU,
    ...op.brIf(1),
    ...op.get(7),
    ...op.loadI32,
    ...op.tee(5),
    ...op.get(3),
    ...op.i32(2),
    ...op.shl,
    ...op.add,
    ...op.set(6),
    ...op.loop,
    ...op.get(4),
    ...op.get(5),
    ...op.loadI32,
    ...op.storeI32,
    ...op.get(5),
    ...op.i32(64),
    ...op.add,
    ...op.tee(5),
    ...op.get(6),
    ...op.ltU,
    ...op.brIf(0),
    ...op.end,
    ...op.get(7),
    ...op.i32(4),
    ...op.add,
    ...op.set(7),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  const code = [
    ...touch,
    ...op.block,
    ...op.loop,
    ...op.get(2),
    ...op.eqz,
    ...op.brIf(1),
    ...op.get(4),
    ...op.get(0),
    ...op.get(1),
    ...op.loadI32,
    ...op.get(3),
    ...op.call(pairFn),
    ...op.storeF32,
    ...op.get(1),
    ...op.i32(4),
    ...op.add,
    ...op.set(1),
    ...op.get(4),
    ...op.i32(4),
    ...op.add,
    ...op.set(4),
    ...op.get(2),
    ...op.i32(1),
    ...op.sub,
    ...op.set(2),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.end,
  ];
  const body = [...vec([[4, I32]]), ...code];
  return [...uleb(body.length), ...body];
}

/**
 * Assembles the kernel module: exports `memory` and the functions `l2`, `ip` (pairwise) and
 * `l2b`, `ipb` (batch).
 */
export function assembleKernel(): Uint8Array<ArrayBuffer> {
  const pairType = [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[F32]])];
  const batchType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([pairType, batchType])),
    ...section(3, vec([[0], [0], [1], [1]])),
    // One memory, 1 page to start; grown from JS.
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(
      7,
      vec([
        [...str("memory"), 0x02, 0],
        [...str("l2"), 0x00, 0],
        [...str("ip"), 0x00, 1],
        [...str("l2b"), 0x00, 2],
        [...str("ipb"), 0x00, 3],
      ]),
    ),
    ...section(10, vec([pairBody(true), pairBody(false), batchBody(0), batchBody(1)])),
  ];
  return new Uint8Array(bytes);
}

interface KernelExports {
  memory: WebAssembly.Memory;
  l2(a: number, b: number, n: number): number;
  ip(a: number, b: number, n: number): number;
  l2b(q: number, offs: number, count: number, n: number, out: number): void;
  ipb(q: number, offs: number, count: number, n: number, out: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel module, or null when the runtime lacks WebAssembly SIMD. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = assembleKernel();
    compiled = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Which runtime runs this code. */
function runtimeName(): "deno" | "bun" | "node" {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return "deno";
  if (g.Bun !== undefined) return "bun";
  return "node";
}

/**
 * The kernel to use on this runtime, measured by `bench/vector.ts` (section "kernels"):
 * per-distance and per-neighbour-list cost of both kernels over 128- and 768-d vectors.
 * `KITE_VECTOR_KERNEL=ts|wasm-simd` overrides it (benchmarks compare both).
 */
export function preferredKernel(): KernelName {
  const env = readEnv("KITE_VECTOR_KERNEL");
  if (env === "ts" || env === "wasm-simd") return env === "wasm-simd" && kernelModule() === null ? "ts" : env;
  if (kernelModule() === null) return "ts";
  return KERNEL_BY_RUNTIME[runtimeName()];
}

// Filled from bench/vector.ts measurements on the reference machine (see bench/README.md).
const KERNEL_BY_RUNTIME: Record<"deno" | "bun" | "node", KernelName> = {
  deno: "wasm-simd",
  bun: "wasm-simd",
  node: "wasm-simd",
};

function readEnv(name: string): string | undefined {
  try {
    const g = globalThis as {
      process?: { env?: Record<string, string | undefined> };
    };
    return g.process?.env?.[name];
  } catch {
    return undefined;
  }
}

const PAGE = 65536;

/**
 * A linear memory holding float32 vectors (and scratch space), with a bump allocator. Offsets
 * are in floats (index into {@link Arena.f32}); memory only grows. After any allocation the
 * views may have been replaced: re-read {@link Arena.f32} rather than caching it across one.
 */
export class Arena {
  /** The kernel in use. */
  readonly kernel: KernelName;
  /** Float view of the whole memory. */
  f32: Float32Array;
  /** Unsigned view of the whole memory (scratch offset lists). */
  u32: Uint32Array;
  readonly #wasm: KernelExports | undefined;
  #buffer: ArrayBuffer;
  #top = 16; // in floats; offset 0 is never handed out

  /** @param kernel the kernel; defaults to {@link preferredKernel} */
  constructor(kernel: KernelName = preferredKernel()) {
    const mod = kernelModule();
    // Vectors live in wasm memory whenever wasm works, so both kernels read the same layout.
    if (mod !== null) {
      const inst = new WebAssembly.Instance(mod, {});
      this.#wasm = inst.exports as unknown as KernelExports;
      this.#buffer = this.#wasm.memory.buffer as ArrayBuffer;
      this.kernel = kernel;
    } else {
      this.#wasm = undefined;
      this.#buffer = new ArrayBuffer(PAGE);
      this.kernel = "ts";
    }
    this.f32 = new Float32Array(this.#buffer);
    this.u32 = new Uint32Array(this.#buffer);
  }

  /** Bytes of linear memory reserved. */
  get byteLength(): number {
    return this.#buffer.byteLength;
  }

  /** Bytes handed out by {@link Arena.alloc}. */
  get usedBytes(): number {
    return this.#top * 4;
  }

  /** The wasm exports when the wasm kernel computes distances. */
  get wasm(): KernelExports | undefined {
    return this.kernel === "wasm-simd" ? this.#wasm : undefined;
  }

  /**
   * Reserves `floats` floats aligned to `align` floats (a power of two; default 4, 16 bytes).
   * @returns the float offset
   */
  alloc(floats: number, align = 4): number {
    const at = (this.#top + align - 1) & ~(align - 1);
    const end = at + ((floats + 3) & ~3);
    const need = end * 4;
    if (need > this.#buffer.byteLength) this.#grow(need);
    this.#top = end;
    return at;
  }

  #grow(need: number): void {
    const cur = this.#buffer.byteLength;
    // Doubling keeps the number of grows (and view rebuilds) logarithmic; past 256 MB grow by
    // a quarter to avoid reserving far more than needed.
    const target = Math.max(need, cur < 1 << 28 ? cur * 2 : cur + (cur >> 2));
    const pages = Math.ceil(target / PAGE);
    if (this.#wasm !== undefined) {
      this.#wasm.memory.grow(pages - cur / PAGE);
      this.#buffer = this.#wasm.memory.buffer as ArrayBuffer;
    } else {
      const next = new ArrayBuffer(pages * PAGE);
      new Uint8Array(next).set(new Uint8Array(this.#buffer));
      this.#buffer = next;
    }
    this.f32 = new Float32Array(this.#buffer);
    this.u32 = new Uint32Array(this.#buffer);
  }
}

/** Squared L2 distance between `n` floats at offsets `a` and `b` of `f`. */
export function l2Ts(f: Float32Array, a: number, b: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const end = a + n;
  for (; a < end; a += 4, b += 4) {
    const d0 = f[a]! - f[b]!;
    const d1 = f[a + 1]! - f[b + 1]!;
    const d2 = f[a + 2]! - f[b + 2]!;
    const d3 = f[a + 3]! - f[b + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  return s0 + s1 + (s2 + s3);
}

/** Dot product of `n` floats at offsets `a` and `b` of `f`. */
export function dotTs(f: Float32Array, a: number, b: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const end = a + n;
  for (; a < end; a += 4, b += 4) {
    s0 += f[a]! * f[b]!;
    s1 += f[a + 1]! * f[b + 1]!;
    s2 += f[a + 2]! * f[b + 2]!;
    s3 += f[a + 3]! * f[b + 3]!;
  }
  return s0 + s1 + (s2 + s3);
}

/**
 * Distance between stored vectors for one metric over an {@link Arena}, as a pair function
 * `(a, b) => number` on float offsets, plus a batch form over a scratch list of offsets.
 * Every distance is rounded to float32, as hnswlib computes it.
 */
export class Distance {
  /** The metric. */
  readonly metric: Metric;
  /** Floats per stored vector (the dimension rounded up to a multiple of 4). */
  readonly stride: number;
  /** The dimension. */
  readonly dim: number;
  readonly #arena: Arena;
  readonly #l2: boolean;

  /**
   * @param arena the memory the vectors live in
   * @param dim the dimension
   * @param metric the metric
   */
  constructor(arena: Arena, dim: number, metric: Metric) {
    this.#arena = arena;
    this.dim = dim;
    this.stride = (dim + 3) & ~3;
    this.metric = metric;
    this.#l2 = metric === "L2";
  }

  /** Distance between the vectors at float offsets `a` and `b`. */
  pair(a: number, b: number): number {
    const w = this.#arena.wasm;
    if (w !== undefined) {
      return this.#l2 ? w.l2(a << 2, b << 2, this.stride) : Math.fround(1 - w.ip(a << 2, b << 2, this.stride));
    }
    const f = this.#arena.f32;
    return Math.fround(this.#l2 ? l2Ts(f, a, b, this.stride) : 1 - dotTs(f, a, b, this.stride));
  }

  /**
   * Distances from the vector at float offset `q` to `count` vectors whose *byte* offsets are
   * stored as u32 at float offset `offs`; written as float32 at float offset `out`.
   */
  batch(q: number, offs: number, count: number, out: number): void {
    const arena = this.#arena;
    const w = arena.wasm;
    if (w !== undefined) {
      if (this.#l2) {
        w.l2b(q << 2, offs << 2, count, this.stride, out << 2);
      } else {
        w.ipb(q << 2, offs << 2, count, this.stride, out << 2);
        const f = arena.f32;
        for (let i = 0; i < count; i++) f[out + i] = 1 - f[out + i]!;
      }
      return;
    }
    const f = arena.f32;
    const u = arena.u32;
    const n = this.stride;
    if (this.#l2) {
      for (let i = 0; i < count; i++) f[out + i] = l2Ts(f, q, u[offs + i]! >>> 2, n);
    } else {
      for (let i = 0; i < count; i++) f[out + i] = 1 - dotTs(f, q, u[offs + i]! >>> 2, n);
    }
  }
}
