/**
 * Seeded synthetic vectors for the vector tests: a Gaussian mixture, identical on every runtime.
 */

/** mulberry32: a seeded generator in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` vectors of `dim` floats around `clusters` random centres, plus `q` held-out queries. */
export function mixture(
  seed: number,
  n: number,
  q: number,
  dim: number,
  clusters = 20,
): { data: Float32Array[]; queries: Float32Array[] } {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, () => gauss() * 3));
  const make = () => {
    const c = centres[Math.floor(r() * clusters)]!;
    return Float32Array.from({ length: dim }, (_, i) => c[i]! + gauss());
  };
  return { data: Array.from({ length: n }, make), queries: Array.from({ length: q }, make) };
}

/** Exact distances as the indexes define them (squared L2, 1 - dot, 1 - cos). */
export function exactDist(metric: "L2" | "IP" | "COSINE", a: Float32Array, b: Float32Array): number {
  let s = 0;
  if (metric === "L2") {
    for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
    return s;
  }
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return metric === "IP" ? 1 - s : 1 - s / Math.sqrt(na * nb);
}

/** The exact k nearest labels of `q` among `data` (labels are indexes; `skip` left out). */
export function bruteForce(
  metric: "L2" | "IP" | "COSINE",
  data: Float32Array[],
  q: Float32Array,
  k: number,
  skip: (i: number) => boolean = () => false,
): number[] {
  const d: [number, number][] = [];
  for (let i = 0; i < data.length; i++) if (!skip(i)) d.push([exactDist(metric, q, data[i]!), i]);
  d.sort((a, b) => a[0] - b[0]);
  return d.slice(0, k).map((x) => x[1]);
}
