import {
  registerArtist,
  startTestApi,
  wirings,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The pipeline's Index step: an uploaded file becomes searchable with its artist and album. */
describe.each(wirings())("pipeline keeps the search index in step ($name)", (wiring) => {
  let api: TestApiWithStorage;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  beforeAll(async () => {
    // Tags only: the audio analysis is not what this suite is about.
    api = await startTestApi(wiring, { INGEST_ANALYSE_AUDIO: "false" }, { pipeline: true });
    artist = await registerArtist(api, "Jonquil Search Band");
  });
  afterAll(() => api.close());

  it("finds an uploaded track by its tags, with its artist and album", async () => {
    const search = (path: string) => api.request("GET", `/api/v1/search/${path}`);
    expect((await search("tracks?q=%D0%B5%D0%BB%D0%BA%D0%B0%20cafe")).body.items).toEqual([]);

    const bytes = new Uint8Array(await readFile(new URL("./fixtures/tagged.mp3", import.meta.url)));
    const ticket = await api.request("POST", "/api/v1/tracks/upload", {
      token: artist.accessToken,
      body: { filename: "tagged.mp3", contentType: "audio/mpeg", size: bytes.byteLength },
    });
    expect(ticket.status).toBe(201);
    const form = new FormData();
    for (const [k, v] of Object.entries(ticket.body.presigned.fields as Record<string, string>))
      form.append(k, v);
    form.append("file", new Blob([bytes], { type: "audio/mpeg" }), "tagged.mp3");
    const posted = await api.fetchUrl(ticket.body.presigned.url, { method: "POST", body: form });
    expect(posted.status).toBeLessThan(300);
    await Promise.all(api.executions);
    await api.pipeline!.drain();
    const upload = await api.request("GET", `/api/v1/uploads/${ticket.body.upload.id}`, {
      token: artist.accessToken,
    });
    expect(upload.body.status).toBe("done");

    // "Ёлка — Café", typed without diacritics and with a typo in the second word.
    const tracks = await search("tracks?q=%D0%B5%D0%BB%D0%BA%D0%B0%20caff");
    expect(tracks.body.items).toEqual([
      expect.objectContaining({
        id: upload.body.trackId,
        title: "Ёлка — Café",
        artist: expect.objectContaining({ name: "Jonquil Search Band" }),
        album: expect.objectContaining({ title: "Fixtures, Vol. 1" }),
        highlight: { title: "<mark>Ёлка</mark> — <mark>Café</mark>" },
      }),
    ]);
    const albums = await search("albums?q=fixtures%20vol");
    expect(albums.body.items.map((a: { title: string }) => a.title)).toEqual(["Fixtures, Vol. 1"]);
    const artists = await search("artists?q=jonquil%20search");
    expect(artists.body.items[0]).toMatchObject({ name: "Jonquil Search Band", trackCount: 1 });
  });
});
