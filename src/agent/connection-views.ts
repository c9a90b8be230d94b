// The strategy's views of the ready connections (ConnectionView), cached between hook calls. A view is rebuilt
// only when its connection's estimate changed, all of them when the ready set, the valuation scale or the
// origin's pinned state changed; a changed list is a new array of which only the changed views are new objects
// (a strategy may keep a view or the list: neither ever changes, but for the live `outstanding`). After a sample
// on one connection this costs O(1) unless the sample may move the scale (a new largest rate or smallest RTT, or
// the holder of either got worse), which takes one O(connections) pass.

import { assert } from "../assert.ts";
import type { IndexWeights } from "./config.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionEstimate } from "./estimator.ts";
import type { ConnId, NodeId, NodeKind, SubBlockId } from "./ports.ts";
import type { ConnectionView } from "./strategy.ts";
import { type ValuationScale, valuationIndex, valuationScale } from "./valuation-index.ts";

const sameScale = (a: ValuationScale, b: ValuationScale): boolean =>
  a.maxRateBps === b.maxRateBps && a.minRttUs === b.minRttUs;

export class ConnectionViews {
  /** The views as last built, and what they were built from. */
  private views: ConnectionView[] = [];
  private viewsOf: readonly Connection[] | null = null;
  private estimates: ConnectionEstimate[] = [];
  private scale: ValuationScale = { maxRateBps: 0, minRttUs: 0 };
  /** Position of each ready connection in viewsOf. */
  private index = new Map<Connection, number>();
  /** The origin's pinned state changed since the views were last built: rebuild all of them. */
  private pinnedChanged = false;
  /** Ready connections whose estimate took a sample since the views were last built (no repeats). */
  private readonly sampled: Connection[] = [];

  constructor(
    private readonly weights: IndexWeights,
    /** Whether a connection of this kind is pinned now (origin-fallback.ts). */
    private readonly isPinned: (kind: NodeKind) => boolean,
  ) {}

  /** conn's estimate took a sample. */
  sampledOn(conn: Connection): void {
    if (!this.sampled.includes(conn)) this.sampled.push(conn);
  }

  /** The origin's pinned state changed. */
  pinsChanged(): void {
    this.pinnedChanged = true;
  }

  /** The view of conn in `views` (as returned by of()); conn must be ready. */
  viewOf(views: readonly ConnectionView[], conn: Connection): ConnectionView {
    const i = this.index.get(conn);
    const v = i !== undefined && views[i]?.id === conn.id ? views[i] : undefined;
    assert(v !== undefined, "connection {0} is not ready", conn.id);
    return v;
  }

  /** The views of `ready` (the ready connections in order, the same array until the ready set changes). */
  of(ready: readonly Connection[]): readonly ConnectionView[] {
    const sampled = this.sampled;
    if (ready === this.viewsOf && !this.pinnedChanged && sampled.length === 0) return this.views;
    if (ready !== this.viewsOf || this.pinnedChanged || this.views.length !== ready.length) {
      sampled.length = 0;
      return this.rebuild(ready);
    }
    let scale = this.scale;
    let rescale = false;
    for (let j = 0; j < sampled.length && !rescale; j++) {
      const i = this.index.get(sampled[j]);
      if (i === undefined) continue; // sampled, then left the ready set: the ready array changed too
      const old = this.views[i];
      const e = this.estimates[i];
      rescale =
        e.rateBps > scale.maxRateBps ||
        (old.rateBps === scale.maxRateBps && e.rateBps < old.rateBps) ||
        Math.max(1, e.rttUs) < scale.minRttUs ||
        (Math.max(1, old.rttUs) === scale.minRttUs && e.rttUs > old.rttUs);
    }
    if (rescale) {
      scale = valuationScale(this.estimates);
      if (!sameScale(scale, this.scale)) {
        sampled.length = 0;
        return this.rebuild(ready);
      }
    }
    let views: ConnectionView[] | null = null;
    for (let j = 0; j < sampled.length; j++) {
      const i = this.index.get(sampled[j]);
      if (i === undefined) continue;
      const view = this.viewFor(i, scale);
      if (view === null) continue;
      views ??= this.views.slice();
      views[i] = view;
    }
    sampled.length = 0;
    if (views !== null) this.views = views;
    return this.views;
  }

  /** Rebuilds the views of `ready` (keeping the objects of unchanged ones when the scale is unchanged). */
  private rebuild(ready: readonly Connection[]): readonly ConnectionView[] {
    this.pinnedChanged = false;
    if (ready !== this.viewsOf) {
      this.viewsOf = ready;
      this.estimates = ready.map((c) => c.estimate);
      this.index = new Map(ready.map((c, i) => [c, i]));
      this.views = [];
    }
    const scale = valuationScale(this.estimates);
    const whole = this.views.length !== ready.length || !sameScale(scale, this.scale);
    let views: ConnectionView[] | null = whole ? [] : null;
    for (let i = 0; i < ready.length; i++) {
      const view = whole ? this.makeView(i, scale) : this.viewFor(i, scale);
      if (view === null) continue;
      views ??= this.views.slice();
      views[i] = view;
    }
    if (views !== null) this.views = views;
    this.scale = scale;
    return this.views;
  }

  /** A new view of ready connection i when its figures differ from its current view, else null. */
  private viewFor(i: number, scale: ValuationScale): ConnectionView | null {
    const e = this.estimates[i];
    const old = this.views[i];
    const pinned = this.isPinned(this.viewsOf![i].kind);
    if (old.rateBps === e.rateBps && old.rttUs === e.rttUs && old.measured === e.measured && old.pinned === pinned) {
      return null;
    }
    return this.makeView(i, scale);
  }

  private makeView(i: number, scale: ValuationScale): ConnectionView {
    const c = this.viewsOf![i];
    const e = this.estimates[i];
    return new View(c, e.rateBps, e.rttUs, e.measured, valuationIndex(e, scale, this.weights), this.isPinned(c.kind));
  }
}

/** A strategy's view of one ready connection: figures as of its making, the outstanding list live. */
class View implements ConnectionView {
  readonly id: ConnId;
  readonly nodeId: NodeId;
  readonly kind: NodeKind;
  readonly #conn: Connection;

  constructor(
    conn: Connection,
    readonly rateBps: number,
    readonly rttUs: number,
    readonly measured: boolean,
    readonly index: number,
    readonly pinned: boolean,
  ) {
    this.#conn = conn;
    this.id = conn.id;
    this.nodeId = conn.nodeId;
    this.kind = conn.kind;
  }

  get outstanding(): readonly SubBlockId[] {
    return this.#conn.outstanding;
  }

  get outstandingCount(): number {
    return this.#conn.outstandingCount;
  }

  outstandingAt(i: number): SubBlockId {
    return this.#conn.at(i);
  }

  get queueVersion(): number {
    return this.#conn.version;
  }
}
