import { beforeAll, describe, expect, it } from "vitest";
import { wirings, type TestApiWithStorage } from "@jonquils/local/testing/harness";
import { librarySuite, type Json, type LibraryFixture, type Session } from "./support/library";

/** Playlist export (M3U8, XSPF, JSON) to the playlists bucket with a signed link. */
describe.each(wirings())("playlist export ($name)", (wiring) => {
  const suite = librarySuite(wiring);
  let api: TestApiWithStorage;
  let artist: LibraryFixture["artist"];
  let user: Session;
  let other: Session;
  let t: Json[];
  beforeAll(() => {
    ({ api, artist, user, other, t } = suite.fixture);
  });

  it("exports a playlist as M3U8, XSPF and JSON to the playlists bucket with a signed link", async () => {
    const token = user.accessToken;
    const pl = await api.request("POST", "/api/v1/playlists", {
      token,
      body: { title: "Road & <Trip>" },
    });
    for (const x of [t[0], t[5]])
      await api.request("POST", `/api/v1/playlists/${pl.body.id}/tracks`, {
        token,
        body: { trackId: x.id },
      });
    for (const format of ["m3u8", "xspf", "json"]) {
      const res = await api.request("POST", `/api/v1/playlists/${pl.body.id}/export`, {
        token,
        body: { format },
      });
      expect(res.status).toBe(201);
      expect(res.body.key).toMatch(new RegExp(`^exports/.+\\.${format}$`));
      const file = await api.fetchUrl(res.body.url);
      expect(file.status).toBe(200);
      const text = await file.text();
      if (format === "m3u8") {
        expect(text.startsWith("#EXTM3U\n")).toBe(true);
        expect(text).toContain(`#EXTINF:180,${artist.user.username ? "" : ""}`);
        expect(text).toContain(`/api/v1/tracks/${t[5].id}/stream?redirect=1`);
      } else if (format === "xspf") {
        expect(text).toContain("<title>Road &amp; &lt;Trip&gt;</title>");
        expect(text.match(/<track>/g)).toHaveLength(2);
      } else {
        expect(JSON.parse(text).tracks.map((x: Json) => x.title)).toEqual(["Near A", "Far"]);
      }
    }
    expect(
      (
        await api.request("POST", `/api/v1/playlists/${pl.body.id}/export`, {
          token,
          body: { format: "pls" },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api.request("POST", `/api/v1/playlists/${pl.body.id}/export`, {
          token: other.accessToken,
          body: { format: "json" },
        })
      ).status,
    ).toBe(404);
  });
});
