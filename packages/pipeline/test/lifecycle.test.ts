import { schema } from "@jonquils/core";
import {
  registerArtist,
  startTestApi,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { eq } from "drizzle-orm";
import { claimObject } from "@jonquils/core/upload/lifecycle";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const corpus = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/corpus/${name}`, import.meta.url)));
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const ELF = new Uint8Array(readFileSync("/bin/ls"));

interface Ticket {
  id: string;
  url: string;
  fields: Record<string, string>;
}

describe("the upload lifecycle: single-use forms, typed state, warnings", () => {
  let api: TestApiWithStorage;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  let files: Server;
  let filesPort = 0;

  beforeAll(async () => {
    files = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "audio/mpeg" });
      res.end(corpus("alarm.mp3"));
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    filesPort = (files.address() as AddressInfo).port;
    api = await startTestApi(
      { db: "pglite", redis: false },
      { INGEST_ANALYSE_AUDIO: "false" },
      {
        pipeline: true,
        uploadOptions: {
          fetchOptions: {
            allowNetworks: ["127.0.0.1/32"],
            allowedPorts: [filesPort],
            timeoutMs: 5000,
          },
        },
      },
    );
    artist = await registerArtist(api, "Lifecycle Band");
  });
  afterAll(async () => {
    await api.close();
    await new Promise<void>((resolve) => files.close(() => resolve()));
  });

  const settle = async () => {
    await Promise.all(api.executions);
    await api.pipeline!.drain();
  };
  const view = async (id: string) =>
    (await api.request("GET", `/api/v1/uploads/${id}`, { token: artist.accessToken })).body;

  async function ticket(filename: string, size: number, contentType = "audio/mpeg") {
    const res = await api.request("POST", "/api/v1/tracks/upload", {
      token: artist.accessToken,
      body: { filename, contentType, size },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return {
      id: res.body.upload.id,
      url: res.body.presigned.url,
      fields: res.body.presigned.fields,
    };
  }
  function post(t: Ticket, bytes: Uint8Array, contentType = "audio/mpeg") {
    const form = new FormData();
    for (const [k, v] of Object.entries(t.fields)) form.append(k, v);
    form.append("file", new Blob([bytes], { type: contentType }), "f");
    return api.fetchUrl(t.url, { method: "POST", body: form });
  }
  async function streamBytes(trackId: string) {
    const stream = await api.request("GET", `/api/v1/tracks/${trackId}/stream`, {
      token: artist.accessToken,
    });
    expect(stream.status).toBe(200);
    return new Uint8Array(await (await api.fetchUrl(stream.body.url)).arrayBuffer());
  }

  it("refuses a replayed form after processing; the track keeps playing its own audio", async () => {
    const audio = corpus("alarm.mp3");
    const t = await ticket("alarm.mp3", audio.byteLength);
    expect((await post(t, audio)).status).toBe(204);
    await settle();
    const done = await view(t.id);
    expect(done.status).toBe("done");
    const before = await streamBytes(done.trackId);
    expect(before).toEqual(audio);

    const replay = await post(t, ELF);
    expect(replay.status).toBe(403);
    expect(((await replay.json()) as { code: string }).code).toBe("upload_form_used");
    await settle();
    expect(await streamBytes(done.trackId)).toEqual(audio);
    expect((await view(t.id)).status).toBe("done");
  });

  it("refuses a second post of a form before processing too", async () => {
    const audio = corpus("complete.ogg");
    const t = await ticket("complete.ogg", audio.byteLength, "audio/ogg");
    const [a, b] = await Promise.all([post(t, audio, "audio/ogg"), post(t, audio, "audio/ogg")]);
    expect([a.status, b.status].sort()).toEqual([204, 403]);
    await settle();
    expect((await view(t.id)).status).toBe("done");
  });

  it("S3-style replay (the store accepts it): the object announced later is never ingested, a done track's audio stays", async () => {
    const audio = corpus("alarm.mp3");
    const t = await ticket("s3.mp3", audio.byteLength);
    expect((await post(t, audio)).status).toBe(204);
    await settle();
    const done = await view(t.id);
    // S3 lets a form be posted again within its lifetime: simulate the second object landing.
    const other = corpus("complete.ogg");
    await api.store.put("tracks", done.key, other, "audio/mpeg");
    await settle();
    expect(await view(t.id)).toMatchObject({ status: "done", trackId: done.trackId });
    expect(await streamBytes(done.trackId)).toEqual(audio);
  });

  it("S3-style replay before processing: the bytes read must be the object first announced", async () => {
    const audio = corpus("alarm.mp3");
    const t = await ticket("race.mp3", audio.byteLength);
    const key = `u/${artist.user.id}/${t.id}/race.mp3`;
    // The first object's event is claimed (its etag recorded on the upload) …
    const etag = createHash("md5").update(audio).digest("hex");
    const job = await claimObject(api.runtime.ports.db, {
      bucket: "tracks",
      key,
      size: audio.byteLength,
      etag,
    });
    expect(job.claimed).toBe(true);
    // … a replay overwrites the object (S3 accepts it; no event reaches us in this test) …
    const replayed = new Uint8Array(audio.byteLength).fill(7);
    replayed.set(audio.subarray(0, audio.byteLength / 2));
    await mkdir(dirname(join(api.store.root, "tracks", key)), { recursive: true });
    await writeFile(join(api.store.root, "tracks", key), replayed);
    // … and the run (re-driven after a crash, say) reads it: refused, not ingested.
    await api.runtime.ports.db
      .update(schema.s3FileRegistry)
      .set({ status: "failed" })
      .where(eq(schema.s3FileRegistry.filePath, key));
    const outcome = await api.pipeline!.start({
      bucket: "tracks",
      key,
      size: audio.byteLength,
      etag,
    });
    expect(outcome.status).toBe("FAILED");
    await settle();
    const up = await view(t.id);
    expect(up.status).toBe("failed");
    expect(up.failureReason).toMatch(/used a second time/);
    expect(up.trackId).toBeNull();
  });

  it("a URL import still says source url once processed (it read back direct before)", async () => {
    const res = await api.request("POST", "/api/v1/tracks/upload-from-url", {
      token: artist.accessToken,
      body: { url: `http://127.0.0.1:${filesPort}/alarm.mp3` },
    });
    expect(res.status).toBe(202);
    await settle();
    const up = await view(res.body.id);
    expect(up).toMatchObject({ status: "done", source: "url", detectedFormat: "mp3" });
  });

  it("lists every warning on the upload, keeps only the base name, strips control and bidi characters", async () => {
    const audio = fixture("03 - Night_Drive.mp3");
    const t = await ticket(
      "C:\\Users\\me\\Music\\evil\u202Egpj.\u0007 - Night_Drive.mp3",
      audio.byteLength,
    );
    const ogg = corpus("trash-empty (really ogg).mp3");
    const renamed = await ticket("trash.mp3", ogg.byteLength);
    await post(t, audio);
    await post(renamed, ogg);
    await settle();
    const up = await view(t.id);
    expect(up.status).toBe("done");
    expect(up.filename).toBe("evil gpj. - Night_Drive.mp3");
    expect(up.filename).not.toMatch(/[\u0000-\u001f\u202a-\u202e\\/]/);
    expect(up.warnings.join("\n")).toMatch(/title/i);
    const r = await view(renamed.id);
    expect(r.status).toBe("done");
    expect(r.detectedFormat).toBe("ogg");
    expect(r.warnings).toContainEqual(expect.stringMatching(/named \.mp3 but is Ogg Vorbis/));
    const doc = await api.app.request("/openapi.json");
    const spec = (await doc.json()) as {
      components: { schemas: { Upload: { properties: Record<string, unknown> } } };
    };
    expect(spec.components.schemas.Upload.properties["warnings"]).toMatchObject({
      type: "array",
      items: { type: "string" },
    });
  });
});
