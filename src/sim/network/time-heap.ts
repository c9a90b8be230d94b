// An indexed set of times keyed by small integer ids (connection ids): set, delete, the minimum and every entry
// due by a time. Small sets (the few dozen connections of one agent) stay a flat array with a cached minimum,
// where a scan is cheaper than keeping an order; from HEAP_FROM entries on the same arrays are kept as a binary
// min-heap (set and delete in O(log n), the minimum in O(1), the due entries in O(due)), and below half of that
// they go back to flat. Ties are broken by id, so anything read from the set is a deterministic function of its
// operations.

import { fail } from "../../assert.ts";

/** Entries from which the set is kept as a heap. */
const HEAP_FROM = 96;

export class TimeHeap {
  private ids = new Int32Array(64);
  private times = new Float64Array(64);
  private n = 0;
  /** Position of each id, -1 when absent. */
  private readonly pos: number[] = [];
  private heap = false;
  /** Flat mode: the minimum time, exact unless stale. */
  private flatMin = Infinity;
  private flatMinStale = false;
  private readonly stack: number[] = [];

  get size(): number {
    return this.n;
  }

  has(id: number): boolean {
    return (this.pos[id] ?? -1) >= 0;
  }

  /** The smallest time (Infinity when empty). */
  minTime(): number {
    if (this.heap) return this.n > 0 ? this.times[0] : Infinity;
    if (this.flatMinStale) {
      let min = Infinity;
      for (let i = 0; i < this.n; i++) if (this.times[i] < min) min = this.times[i];
      this.flatMin = min;
      this.flatMinStale = false;
    }
    return this.flatMin;
  }

  /** Inserts id or moves it to its new time. */
  set(id: number, time: number): void {
    let i = this.pos[id] ?? -1;
    if (i < 0) {
      while (this.pos.length <= id) this.pos.push(-1);
      if (this.n === this.ids.length) this.grow();
      i = this.n++;
      this.ids[i] = id;
      this.times[i] = time;
      this.pos[id] = i;
      if (this.heap) this.up(i);
      else if (this.n >= HEAP_FROM) this.toHeap();
      else if (time < this.flatMin) this.flatMin = time;
      return;
    }
    const old = this.times[i];
    this.times[i] = time;
    if (this.heap) {
      if (time < old) this.up(i);
      else if (time > old) this.down(i);
    } else if (time < this.flatMin) this.flatMin = time;
    else if (old === this.flatMin && time > old) this.flatMinStale = true;
  }

  delete(id: number): void {
    const i = this.pos[id] ?? -1;
    if (i < 0) return;
    this.pos[id] = -1;
    const last = --this.n;
    const removed = this.times[i];
    if (i !== last) {
      this.ids[i] = this.ids[last];
      this.times[i] = this.times[last];
      this.pos[this.ids[i]] = i;
    }
    if (this.heap) {
      if (i !== last) {
        this.up(i);
        this.down(i);
      }
      if (this.n < HEAP_FROM >> 1) this.heap = false; // a heap is a valid flat order; times[0] is the minimum
      this.flatMin = this.n > 0 ? this.times[0] : Infinity;
      this.flatMinStale = false;
    } else if (removed === this.flatMin) this.flatMinStale = true;
  }

  /** Replaces the whole content by ids[0..count-1] with times[0..count-1] (O(count)). */
  rebuild(count: number, ids: Int32Array, times: Float64Array): void {
    for (let i = 0; i < this.n; i++) this.pos[this.ids[i]] = -1;
    while (this.ids.length < count) this.grow();
    this.n = count;
    let min = Infinity;
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      while (this.pos.length <= id) this.pos.push(-1);
      if (!(this.pos[id] < 0)) fail("time heap: id {0} twice in a rebuild", id);
      this.ids[i] = id;
      this.times[i] = times[i];
      this.pos[id] = i;
      if (times[i] < min) min = times[i];
    }
    this.heap = false;
    this.flatMin = min;
    this.flatMinStale = false;
    if (count >= HEAP_FROM) this.toHeap();
  }

  /** Writes the ids of every entry with time ≤ t to out (in storage order) and returns how many. */
  collectDue(t: number, out: number[]): number {
    let count = 0;
    if (!this.heap) {
      if (!this.flatMinStale && this.flatMin > t) return 0;
      for (let i = 0; i < this.n; i++) if (this.times[i] <= t) out[count++] = this.ids[i];
      return count;
    }
    if (this.n === 0 || this.times[0] > t) return 0;
    // Depth-first over the subtrees whose root is due (a parent is never later than its children).
    const stack = this.stack;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const i = stack[--top];
      out[count++] = this.ids[i];
      const l = 2 * i + 1;
      if (l < this.n && this.times[l] <= t) stack[top++] = l;
      if (l + 1 < this.n && this.times[l + 1] <= t) stack[top++] = l + 1;
    }
    return count;
  }

  private toHeap(): void {
    this.heap = true;
    for (let i = (this.n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a];
    const tb = this.times[b];
    return ta < tb || (ta === tb && this.ids[a] < this.ids[b]);
  }

  private swap(a: number, b: number): void {
    const id = this.ids[a];
    const t = this.times[a];
    this.ids[a] = this.ids[b];
    this.times[a] = this.times[b];
    this.ids[b] = id;
    this.times[b] = t;
    this.pos[this.ids[a]] = a;
    this.pos[this.ids[b]] = b;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) return;
      let m = l;
      if (l + 1 < this.n && this.less(l + 1, l)) m = l + 1;
      if (!this.less(m, i)) return;
      this.swap(i, m);
      i = m;
    }
  }

  private grow(): void {
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.ids = ids;
    this.times = times;
  }
}
