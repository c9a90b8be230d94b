// The hosts and their links: every host has an uplink (with a factor: 0 stalls it) and a downlink. Link ids:
// 2·host is the host's uplink, 2·host + 1 its downlink. Each link lists the active flows crossing it (by
// connection id, swap-remove); a flow crosses its source's uplink and its destination's downlink. A link's
// usable capacity is its raw capacity × efficiency (and × factor for an uplink).

import { assert, fail } from "../../assert.ts";

export const upLink = (host: number): number => 2 * host;
export const downLink = (host: number): number => 2 * host + 1;

export class Links {
  private readonly uplinkBps: number[] = [];
  private readonly factor: number[] = [];
  private readonly downlinkBps: number[] = [];
  /** Active flows on each link, by link id. */
  private readonly flowsOn: number[][] = [];
  /** Position of each active connection in its uplink's and its downlink's list. */
  private readonly upPos: number[] = [];
  private readonly downPos: number[] = [];
  /** Hosts whose downlink carries at least one active flow. */
  activeDestinations = 0;

  constructor(
    /** Link capacities × efficiency are usable for payload. */
    readonly efficiency: number,
  ) {
    assert(efficiency > 0 && efficiency <= 1, "network efficiency {0} outside (0, 1]", efficiency);
  }

  get hostCount(): number {
    return this.uplinkBps.length;
  }

  addHost(uplinkBps: number, downlinkBps: number): number {
    const h = this.uplinkBps.length;
    this.uplinkBps.push(uplinkBps);
    this.factor.push(1);
    this.downlinkBps.push(downlinkBps);
    this.flowsOn.push([], []);
    return h;
  }

  /** Sets a raw capacity; true when it changed. */
  setUplink(host: number, bps: number): boolean {
    if (this.uplinkBps[host] === bps) return false;
    this.uplinkBps[host] = bps;
    return true;
  }

  setFactor(host: number, factor: number): boolean {
    if (this.factor[host] === factor) return false;
    this.factor[host] = factor;
    return true;
  }

  setDownlink(host: number, bps: number): boolean {
    if (this.downlinkBps[host] === bps) return false;
    this.downlinkBps[host] = bps;
    return true;
  }

  /** Usable capacity of a link (bps; a downlink may be Infinity). */
  capBps(link: number): number {
    const h = link >> 1;
    return (link & 1) === 0 ? this.uplinkCapBps(h) : this.downlinkBps[h] * this.efficiency;
  }

  /** Usable capacity of a host's uplink (bps). */
  uplinkCapBps(host: number): number {
    return this.uplinkBps[host] * this.factor[host] * this.efficiency;
  }

  /** The active flows on a link (connection ids; read only, valid until the next add or remove). */
  flows(link: number): readonly number[] {
    return this.flowsOn[link];
  }

  add(connId: number, src: number, dst: number): void {
    while (this.upPos.length <= connId) {
      this.upPos.push(-1);
      this.downPos.push(-1);
    }
    const up = this.flowsOn[upLink(src)];
    this.upPos[connId] = up.length;
    up.push(connId);
    const down = this.flowsOn[downLink(dst)];
    this.downPos[connId] = down.length;
    down.push(connId);
    if (down.length === 1) this.activeDestinations++;
  }

  remove(connId: number, src: number, dst: number): void {
    this.removeAt(this.flowsOn[upLink(src)], this.upPos, connId, true);
    const down = this.flowsOn[downLink(dst)];
    this.removeAt(down, this.downPos, connId, false);
    if (down.length === 0) this.activeDestinations--;
  }

  private removeAt(list: number[], pos: number[], connId: number, isUp: boolean): void {
    const i = pos[connId];
    if (!(i >= 0 && list[i] === connId)) fail("conn {0} is not on its {1}", connId, isUp ? "uplink" : "downlink");
    const last = list.pop()!;
    if (last !== connId) {
      list[i] = last;
      pos[last] = i;
    }
    pos[connId] = -1;
  }
}
