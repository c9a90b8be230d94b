// Response validation on hand-written responses: each rule of issue 13 (206 with the exact range and a stable
// total, 200 = no ranges, short 206, 416, a changed validator) gives the verdict written here by hand.

import { describe, expect, it } from "vitest";
import { checkResponse, ifRangeValue, parseContentRange, strongEtag, validatorOf } from "../../src/real/response-check.ts";

const V = { etag: '"v1"', lastModified: "Wed, 01 Jan 2020 00:00:00 GMT" };
const ask = { start: 100, end: 199, total: 1000, validator: V };
const h = (cr: string | undefined, etag = '"v1"') => ({ "content-range": cr, etag, "last-modified": V.lastModified });

describe("Content-Range", () => {
  it("parses bytes a-b/total and rejects the rest", () => {
    expect(parseContentRange("bytes 0-99/1000")).toEqual({ start: 0, end: 99, total: 1000 });
    expect(parseContentRange("bytes 0-99/*")).toBeNull();
    expect(parseContentRange("bytes 100-99/1000")).toBeNull();
    expect(parseContentRange("bytes 0-1000/1000")).toBeNull(); // end beyond the total
    expect(parseContentRange("items 0-99/1000")).toBeNull();
    expect(parseContentRange(null)).toBeNull();
  });
});

describe("validators", () => {
  it("uses a strong ETag, else Last-Modified, for If-Range", () => {
    expect(strongEtag('W/"weak"')).toBeNull();
    expect(strongEtag('"strong"')).toBe('"strong"');
    expect(ifRangeValue(validatorOf({ etag: 'W/"x"', "last-modified": "Mon" }))).toBe("Mon");
    expect(ifRangeValue(validatorOf({ etag: '"x"', "last-modified": "Mon" }))).toBe('"x"');
    expect(ifRangeValue(null)).toBeNull();
  });
});

describe("checkResponse", () => {
  it("accepts a 206 with exactly the requested range", () => {
    expect(checkResponse(206, h("bytes 100-199/1000"), ask)).toMatchObject({ kind: "ok", servedEnd: 199, total: 1000 });
  });
  it("accepts a short 206 (the rest is asked again)", () => {
    expect(checkResponse(206, h("bytes 100-149/1000"), ask)).toMatchObject({ kind: "ok", servedEnd: 149 });
  });
  it("takes a 200 to a ranged request as a mirror without ranges", () => {
    expect(checkResponse(200, h(undefined), ask)).toEqual({ kind: "no-ranges" });
  });
  it("takes a 200 under another ETag as another version (If-Range failed)", () => {
    expect(checkResponse(200, h(undefined, '"v2"'), ask).kind).toBe("version-changed");
  });
  it("rejects a 206 that starts elsewhere or runs past the request", () => {
    expect(checkResponse(206, h("bytes 101-199/1000"), ask).kind).toBe("unusable");
    expect(checkResponse(206, h("bytes 0-199/1000"), ask).kind).toBe("unusable");
    expect(checkResponse(206, h("bytes 100-200/1000"), ask).kind).toBe("unusable");
  });
  it("rejects a 206 without a usable Content-Range", () => {
    expect(checkResponse(206, h(undefined), ask).kind).toBe("unusable");
    expect(checkResponse(206, h("bytes 100-199/*"), ask).kind).toBe("unusable");
  });
  it("marks a different total or a 416 unusable", () => {
    expect(checkResponse(206, h("bytes 100-199/1001"), ask).kind).toBe("unusable");
    expect(checkResponse(416, { "content-range": "bytes */1000" }, ask).kind).toBe("unusable");
  });
  it("quarantines a 206 of another version", () => {
    expect(checkResponse(206, h("bytes 100-199/1000", '"v2"'), ask).kind).toBe("version-changed");
  });
  it("compares Last-Modified when the first answer had no strong ETag", () => {
    const a = { ...ask, validator: { etag: null, lastModified: "Mon" } };
    expect(checkResponse(206, { "content-range": "bytes 100-199/1000", "last-modified": "Mon" }, a).kind).toBe("ok");
    expect(checkResponse(206, { "content-range": "bytes 100-199/1000", "last-modified": "Tue" }, a).kind).toBe("version-changed");
  });
  it("knows nothing before the first answer: any total and validator are taken", () => {
    expect(checkResponse(206, h("bytes 0-0/5", '"z"'), { start: 0, end: 0, total: null, validator: null })).toMatchObject({
      kind: "ok",
      total: 5,
      validator: { etag: '"z"' },
    });
  });
  it("treats server errors as transient and other statuses as unusable", () => {
    expect(checkResponse(503, {}, ask).kind).toBe("transient");
    expect(checkResponse(404, {}, ask).kind).toBe("unusable");
  });
});
