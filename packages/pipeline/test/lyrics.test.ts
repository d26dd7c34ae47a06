import {
  promoteToAdmin,
  registerUser,
  startTestApi,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { XMLParser } from "fast-xml-parser";
import { parseFile } from "music-metadata";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responses } from "../../api/test/subsonic/schemas";
import { readLyrics } from "../src/analysis/tags";

/**
 * Lyrics carried by real files (5 s of a Widelands recording, see fixtures/lyrics/make-lyrics.sh):
 * ID3 USLT + SYLT, Vorbis LYRICS (LRC) + UNSYNCEDLYRICS, MP4 ©lyr. Uploaded through the
 * pipeline, then read by a player app through OpenSubsonic getLyricsBySongId / getLyrics.
 */
const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/lyrics/${name}`, import.meta.url));
const VERSES = ["Lanterns on the water", "ships come home at night", "and the harbour hums along"];
const SYNCED = [
  { start: 500, value: VERSES[0] },
  { start: 2000, value: VERSES[1] },
  { start: 3750, value: VERSES[2] },
];

describe("lyrics from the tags of real files", () => {
  it("reads USLT and SYLT (milliseconds) from ID3v2.4", async () => {
    const lyrics = readLyrics((await parseFile(fixture("lyrics.mp3"))).common.lyrics);
    expect(lyrics).toEqual([
      {
        lang: "eng",
        synced: false,
        lines: [VERSES[0], VERSES[1], "", VERSES[2]].map((value) => ({ value })),
      },
      { lang: "eng", synced: true, description: "harbour", lines: SYNCED },
    ]);
  });

  it("reads LRC text in Vorbis LYRICS as synchronised, UNSYNCEDLYRICS as plain", async () => {
    const lyrics = readLyrics((await parseFile(fixture("lyrics.ogg"))).common.lyrics);
    expect(lyrics).toEqual([
      { lang: "xxx", synced: true, lines: SYNCED },
      { lang: "xxx", synced: false, lines: VERSES.map((value) => ({ value })) },
    ]);
  });

  it("reads MP4 ©lyr; a file without lyrics gives none", async () => {
    const lyrics = readLyrics((await parseFile(fixture("lyrics.m4a"))).common.lyrics);
    expect(lyrics).toEqual([
      {
        lang: "xxx",
        synced: false,
        lines: [VERSES[0], VERSES[1], "", VERSES[2]].map((value) => ({ value })),
      },
    ]);
    const plain = await parseFile(fileURLToPath(new URL("./fixtures/tagged.mp3", import.meta.url)));
    expect(readLyrics(plain.common.lyrics)).toEqual([]);
  });
});

describe("a player app reads the lyrics of an uploaded file (OpenSubsonic songLyrics)", () => {
  let api: TestApiWithStorage;
  let username: string;
  const trackIds: Record<string, string> = {};
  const rest = async (method: string, params: Record<string, string>) => {
    const query = new URLSearchParams({
      u: username,
      p: "correct horse battery",
      v: "1.16.1",
      c: "lyrics-test",
      ...params,
    });
    const res = await api.app.request(`/rest/${method}?${query.toString()}`);
    expect(res.status).toBe(200);
    return res.text();
  };
  const json = async (method: string, params: Record<string, string>) => {
    const body = JSON.parse(await rest(method, { f: "json", ...params }))["subsonic-response"];
    // Every answer matches the OpenSubsonic schema of its method (zod, from the spec pages).
    const schema = responses[method as keyof typeof responses];
    if (schema && body.status === "ok") schema.parse(body);
    return body;
  };

  beforeAll(async () => {
    api = await startTestApi(
      { db: "pglite", redis: false },
      { INGEST_ANALYSE_AUDIO: "false" },
      { pipeline: true },
    );
    const user = await registerUser(api);
    username = user.user.username;
    const admin = await promoteToAdmin(api, user);
    const files = {
      "lyrics.mp3": ["lyrics/lyrics.mp3", "audio/mpeg"],
      "lyrics.ogg": ["lyrics/lyrics.ogg", "audio/ogg"],
      "lyrics.m4a": ["lyrics/lyrics.m4a", "audio/mp4"],
      "plain.mp3": ["tagged.mp3", "audio/mpeg"],
    } as const;
    const uploads: [string, string][] = [];
    for (const [name, [path, type]] of Object.entries(files)) {
      const bytes = new Uint8Array(readFileSync(new URL(`./fixtures/${path}`, import.meta.url)));
      const t = await api.request("POST", "/api/v1/tracks/upload", {
        token: admin.accessToken,
        body: { filename: name, contentType: type, size: bytes.byteLength },
      });
      expect(t.status).toBe(201);
      const form = new FormData();
      for (const [k, v] of Object.entries(t.body.presigned.fields as Record<string, string>))
        form.append(k, v);
      form.append("file", new Blob([bytes], { type }), name);
      expect(
        (await api.fetchUrl(t.body.presigned.url, { method: "POST", body: form })).status,
      ).toBe(204);
      uploads.push([name, t.body.upload.id as string]);
    }
    await Promise.all(api.executions);
    await api.pipeline!.drain();
    for (const [name, id] of uploads) {
      const up = (await api.request("GET", `/api/v1/uploads/${id}`, { token: admin.accessToken }))
        .body;
      expect(up.status, `${name}: ${JSON.stringify(up)}`).toBe("done");
      trackIds[name] = up.trackId as string;
    }
  }, 120_000);
  afterAll(() => api?.close());

  it("advertises songLyrics and serves the MP3's unsynchronised and synchronised lyrics", async () => {
    const ext = await json("getOpenSubsonicExtensions", {});
    expect(ext.openSubsonicExtensions).toContainEqual({ name: "songLyrics", versions: [1] });

    const body = await json("getLyricsBySongId", { id: `tr-${trackIds["lyrics.mp3"]}` });
    expect(body.status).toBe("ok");
    const list = body.lyricsList.structuredLyrics;
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({
      displayArtist: "Jonquil Test Band",
      displayTitle: "Harbour Lights",
      lang: "eng",
      offset: 0,
      synced: false,
    });
    expect(list[0].line.map((l: { value: string }) => l.value)).toEqual([
      VERSES[0],
      VERSES[1],
      "",
      VERSES[2],
    ]);
    expect(list[0].line[0]).not.toHaveProperty("start");
    expect(list[1]).toMatchObject({ lang: "eng", synced: true, line: SYNCED });
  });

  it("serves the Ogg's LRC lines and the M4A's ©lyr; a file without lyrics has an empty list", async () => {
    const ogg = await json("getLyricsBySongId", { id: `tr-${trackIds["lyrics.ogg"]}` });
    expect(ogg.lyricsList.structuredLyrics[0]).toMatchObject({ synced: true, line: SYNCED });
    const m4a = await json("getLyricsBySongId", { id: `tr-${trackIds["lyrics.m4a"]}` });
    expect(m4a.lyricsList.structuredLyrics).toHaveLength(1);
    expect(m4a.lyricsList.structuredLyrics[0].line[3].value).toBe(VERSES[2]);
    const plain = await json("getLyricsBySongId", { id: `tr-${trackIds["plain.mp3"]}` });
    expect(plain.status).toBe("ok");
    expect(plain.lyricsList).toEqual({});
    const missing = await json("getLyricsBySongId", {
      id: "tr-00000000-0000-4000-8000-000000000000",
    });
    expect(missing.error.code).toBe(70);
  });

  it("answers XML as DSub parses it, and the legacy getLyrics by artist and title", async () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
      await rest("getLyricsBySongId", { id: `tr-${trackIds["lyrics.mp3"]}` }),
    );
    const synced = xml["subsonic-response"].lyricsList.structuredLyrics[1];
    expect(synced.synced).toBe("true");
    expect(synced.line[2]).toEqual({ start: "3750", "#text": VERSES[2] });

    const legacy = await json("getLyrics", {
      artist: "jonquil test band",
      title: "harbour lights",
    });
    expect(legacy.lyrics.artist).toBe("Jonquil Test Band");
    expect(legacy.lyrics.value).toContain(`${VERSES[1]}\n`);
    expect((await json("getLyrics", { artist: "Nobody", title: "Nothing" })).lyrics).toEqual({});
  });
});
