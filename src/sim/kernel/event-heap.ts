// The event queue: a 4-ary min-heap on parallel typed arrays, ordered by (timeUs, seq). seq is the insertion
// sequence, so events at one timestamp pop in the order they were scheduled: a total order, no ties.
// Each event carries a kind and two integer payloads. Hand-written because it is the simulator's hot path
// (see scripts/bench.ts for its hold rate).

export class EventHeap {
  private timeUs: Float64Array;
  private seq: Float64Array;
  private kind: Uint16Array;
  private a: Int32Array;
  private b: Int32Array;
  private nextSeq = 0;
  length = 0;
  peakLength = 0;

  // Fields of the last popped event.
  poppedTimeUs = 0;
  poppedKind = 0;
  poppedA = 0;
  poppedB = 0;

  constructor(
    initialCapacity = 1024,
    private readonly maxLength = 1 << 26,
  ) {
    this.timeUs = new Float64Array(initialCapacity);
    this.seq = new Float64Array(initialCapacity);
    this.kind = new Uint16Array(initialCapacity);
    this.a = new Int32Array(initialCapacity);
    this.b = new Int32Array(initialCapacity);
  }

  push(timeUs: number, kind: number, a: number, b: number): void {
    if (this.length === this.timeUs.length) this.grow();
    const s = this.nextSeq++;
    let i = this.length++;
    if (this.length > this.peakLength) this.peakLength = this.length;
    const T = this.timeUs;
    const S = this.seq;
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = T[p];
      if (pt < timeUs || (pt === timeUs && S[p] < s)) break;
      this.move(p, i);
      i = p;
    }
    T[i] = timeUs;
    S[i] = s;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
  }

  /** Removes the minimum; its fields are left in popped*. Precondition: length > 0. */
  pop(): void {
    const T = this.timeUs;
    const S = this.seq;
    this.poppedTimeUs = T[0];
    this.poppedKind = this.kind[0];
    this.poppedA = this.a[0];
    this.poppedB = this.b[0];
    const n = --this.length;
    if (n === 0) return;
    const t = T[n];
    const s = S[n];
    const k = this.kind[n];
    const a = this.a[n];
    const b = this.b[n];
    let i = 0;
    // Sift down among up to four children.
    for (;;) {
      const c0 = (i << 2) + 1;
      if (c0 >= n) break;
      let m = c0;
      let mt = T[c0];
      let ms = S[c0];
      const end = c0 + 4 < n ? c0 + 4 : n;
      for (let c = c0 + 1; c < end; c++) {
        const ct = T[c];
        if (ct < mt || (ct === mt && S[c] < ms)) {
          m = c;
          mt = ct;
          ms = S[c];
        }
      }
      if (t < mt || (t === mt && s < ms)) break;
      this.move(m, i);
      i = m;
    }
    T[i] = t;
    S[i] = s;
    this.kind[i] = k;
    this.a[i] = a;
    this.b[i] = b;
  }

  peekTimeUs(): number {
    return this.timeUs[0];
  }

  private move(from: number, to: number): void {
    this.timeUs[to] = this.timeUs[from];
    this.seq[to] = this.seq[from];
    this.kind[to] = this.kind[from];
    this.a[to] = this.a[from];
    this.b[to] = this.b[from];
  }

  private grow(): void {
    const n = this.timeUs.length * 2;
    if (n > this.maxLength) throw new Error(`event queue limit of ${this.maxLength} events exceeded`);
    const g = <T extends Float64Array | Uint16Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const x = make(n);
      x.set(old);
      return x;
    };
    this.timeUs = g(this.timeUs, (k) => new Float64Array(k));
    this.seq = g(this.seq, (k) => new Float64Array(k));
    this.kind = g(this.kind, (k) => new Uint16Array(k));
    this.a = g(this.a, (k) => new Int32Array(k));
    this.b = g(this.b, (k) => new Int32Array(k));
  }
}
