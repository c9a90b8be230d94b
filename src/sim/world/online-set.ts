// The set of online node ids with order statistics: add and delete in O(log n), the k-th smallest member in
// O(log n) (a Fenwick tree over the dense node ids). The tracker samples its node lists by position in
// ascending id order through it, so a list costs O(list size × log n) whatever the swarm's size, and a join or
// leave costs O(log n) (the swarm churns far more often than the agent asks).

export class OnlineSet {
  /** Member flags by id; its length, the capacity, is a power of two. */
  private present = new Uint8Array(1024);
  /** Fenwick tree of member counts: index id + 1 (1 … capacity). */
  private tree = new Int32Array(1024 + 1);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return id >= 0 && id < this.present.length && this.present[id] === 1;
  }

  add(id: number): void {
    if (this.has(id)) return;
    while (id >= this.present.length) this.grow();
    this.present[id] = 1;
    this.count++;
    this.update(id, 1);
  }

  delete(id: number): void {
    if (!this.has(id)) return;
    this.present[id] = 0;
    this.count--;
    this.update(id, -1);
  }

  /** Members smaller than id: O(log n). */
  rank(id: number): number {
    let sum = 0;
    for (let i = Math.min(id, this.present.length); i > 0; i -= i & -i) sum += this.tree[i];
    return sum;
  }

  /** The k-th smallest member (k from 0), k < size. */
  select(k: number): number {
    // Binary lifting: the largest index whose prefix count is below k + 1; the member is the next one.
    let pos = 0;
    let left = k + 1;
    for (let step = this.present.length; step > 0; step >>>= 1) {
      const next = pos + step;
      if (next <= this.present.length && this.tree[next] < left) {
        pos = next;
        left -= this.tree[next];
      }
    }
    return pos; // index pos + 1, id pos
  }

  private update(id: number, delta: number): void {
    for (let i = id + 1; i <= this.present.length; i += i & -i) this.tree[i] += delta;
  }

  /** Doubles the capacity and rebuilds the tree from the members: O(capacity), amortised O(1) per id. */
  private grow(): void {
    const present = new Uint8Array(this.present.length * 2);
    present.set(this.present);
    this.present = present;
    this.tree = new Int32Array(present.length + 1);
    for (let id = 0; id < present.length; id++) if (present[id] === 1) this.update(id, 1);
  }
}
