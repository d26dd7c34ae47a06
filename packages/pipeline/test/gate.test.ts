import { verifyAudio } from "@jonquils/core/upload/audio-verify";
import {
  registerArtist,
  startTestApi,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Only audio becomes a track. The corpus is real files (fixtures/corpus/make-corpus.sh):
 * recordings from Debian's sound-theme-freedesktop, a PNG icon, a licence text, the
 * system's /bin/ls, an MP3 cut short, random bytes behind a real ID3 tag.
 */
const corpus = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/corpus/${name}`, import.meta.url)));
const ELF = new Uint8Array(readFileSync("/bin/ls"));

const WRONG: [string, () => Uint8Array, RegExp][] = [
  ["image.png", () => corpus("image.png"), /PNG image, not audio/],
  ["ls.mp3", () => ELF, /program \(an ELF executable\), not audio/],
  ["licence.mp3", () => corpus("license.txt"), /text file, not audio/],
  ["empty.mp3", () => new Uint8Array(0), /empty \(0 bytes\)/],
  [
    "id3-random.mp3",
    () => corpus("id3-random.mp3"),
    /no audio format we know .* after its ID3 tag/,
  ],
  ["truncated-real.mp3", () => corpus("truncated-real.mp3"), /only 0\.\d+ s of audio/],
  ["renamed-image.wav", () => corpus("image.png"), /PNG image, not audio .*\.wav/],
];

describe("the audio gate (verifyAudio) on real files", () => {
  it.each(WRONG)("refuses %s with a reason a person understands", (name, bytes, reason) => {
    const verdict = verifyAudio(bytes(), { filename: name });
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toMatch(reason);
  });

  it.each([
    ["alarm.mp3", "mp3", 6],
    ["complete.ogg", "ogg", 1],
    ["service-login.flac", "flac", 2],
    ["phone.wav", "wav", 1.4],
  ])("accepts the real recording %s as %s", (name, format, seconds) => {
    const verdict = verifyAudio(corpus(name), { filename: name });
    expect(verdict).toMatchObject({ ok: true, format, renamed: null });
    expect(verdict.ok && verdict.seconds).toBeGreaterThan(seconds);
  });

  it("accepts audio whose name says another container, and names the real one", () => {
    const ogg = verifyAudio(corpus("trash-empty (really ogg).mp3"), { filename: "x.mp3" });
    expect(ogg).toMatchObject({ ok: true, format: "ogg", contentType: "audio/ogg" });
    expect(ogg.ok && ogg.renamed).toMatch(/named \.mp3 but is Ogg Vorbis/);
    const wav = verifyAudio(corpus("phone (really wav).mp3"), { filename: "x.mp3" });
    expect(wav).toMatchObject({ ok: true, format: "wav" });
  });

  it("refuses an MP3 whose frames cover only a small part of the file", () => {
    const mp3 = corpus("alarm.mp3");
    const glued = new Uint8Array(mp3.length + ELF.length);
    glued.set(mp3.subarray(0, 8000));
    glued.set(ELF, 8000);
    const verdict = verifyAudio(glued.subarray(0, 8000 + ELF.length), { filename: "a.mp3" });
    expect(!verdict.ok && verdict.reason).toMatch(/only \d+% of the file is MP3 audio/);
  });
});

async function formUpload(
  api: TestApiWithStorage,
  token: string,
  filename: string,
  bytes: Uint8Array,
  contentType = "audio/mpeg",
) {
  const ticket = await api.request("POST", "/api/v1/tracks/upload", {
    token,
    body: { filename, contentType, size: Math.max(1, bytes.byteLength) },
  });
  expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.body.presigned.fields as Record<string, string>))
    form.append(k, v);
  form.append("file", new Blob([bytes], { type: contentType }), filename);
  const res = await api.fetchUrl(ticket.body.presigned.url, { method: "POST", body: form });
  return { id: ticket.body.upload.id as string, status: res.status };
}

describe("only audio becomes a track, end to end", () => {
  let api: TestApiWithStorage;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  let files: Server;
  let filesBase = "";
  let filesPort = 0;

  beforeAll(async () => {
    files = createServer((req, res) => {
      const name = decodeURIComponent((req.url ?? "/").slice(1));
      const body =
        name === "ls.mp3" ? ELF : name === "alarm.mp3" ? corpus("alarm.mp3") : corpus(name);
      res.writeHead(200, { "content-type": "audio/mpeg" });
      res.end(body);
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    filesPort = (files.address() as AddressInfo).port;
    filesBase = `http://127.0.0.1:${filesPort}`;
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
    artist = await registerArtist(api, "Gatekeepers");
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

  it("fails an image, a program, text, random bytes behind ID3 and a cut MP3 uploaded as audio/mpeg", async () => {
    const sent = [];
    for (const [name, bytes, reason] of WRONG) {
      if (bytes().byteLength === 0) continue; // the store itself refuses an empty body
      sent.push({ name, reason, ...(await formUpload(api, artist.accessToken, name, bytes())) });
    }
    await settle();
    for (const s of sent) {
      expect(s.status, s.name).toBeLessThan(300);
      const up = await view(s.id);
      expect(up.status, s.name).toBe("failed");
      expect(up.trackId, s.name).toBeNull();
      expect(up.failureReason, s.name).toMatch(s.reason);
    }
  });

  it("accepts a real recording in another container than its name says, filed under its real format", async () => {
    const { id } = await formUpload(
      api,
      artist.accessToken,
      "trash-empty.mp3",
      corpus("trash-empty (really ogg).mp3"),
    );
    await settle();
    const up = await view(id);
    expect(up.status).toBe("done");
    const track = (await api.request("GET", `/api/v1/tracks/${up.trackId}`)).body;
    expect(track.fileFormat).toBe("ogg");
    expect(track.hasAudio).toBe(true);
  });

  it("refuses non-audio from a URL before storing anything, and accepts a real MP3", async () => {
    for (const name of ["image.png", "ls.mp3", "id3-random.mp3", "license.txt"]) {
      const res = await api.request("POST", "/api/v1/tracks/upload-from-url", {
        token: artist.accessToken,
        body: { url: `${filesBase}/${encodeURIComponent(name)}` },
      });
      expect(res.status, name).toBe(415);
      expect(res.body.code, name).toBe("not_audio");
    }
    const good = await api.request("POST", "/api/v1/tracks/upload-from-url", {
      token: artist.accessToken,
      body: { url: `${filesBase}/alarm.mp3` },
    });
    expect(good.status).toBe(202);
    await settle();
    const up = await view(good.body.id);
    expect(up.status).toBe("done");
  });
});
