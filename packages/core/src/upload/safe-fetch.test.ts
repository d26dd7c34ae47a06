import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { sniffAudio } from "./audio-sniff";
import {
  addressRefusal,
  fetchAudio,
  safeFetch,
  type Resolver,
  type SafeFetchOptions,
} from "./safe-fetch";

const MP3 = Buffer.concat([
  Buffer.from("ID3"),
  Buffer.from([4, 0, 0, 0, 0, 0, 0]),
  Buffer.alloc(500, 9),
]);

/** A resolver that must not be reached (refusals need no DNS), or a fixed table. */
const noDns: Resolver = async (host) => {
  throw new Error(`DNS must not be asked (${host})`);
};
const table =
  (entries: Record<string, string[]>): Resolver =>
  async (host) => {
    const addresses = entries[host];
    if (!addresses) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("safe fetch: refusals without any network", () => {
  const refused: string[] = [
    "http://127.0.0.1/song.mp3",
    "http://127.1.2.3/",
    "http://localhost/song.mp3",
    "http://LOCALHOST./song.mp3",
    "http://api.localhost/",
    "http://10.0.0.8/",
    "http://172.16.4.2/",
    "http://172.31.255.255/",
    "http://192.168.1.20/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://[::1]/",
    "http://[::]/",
    "http://[fd00::1]/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a00:1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[::7f00:1]/",
    // Decimal, octal and hex spellings of 127.0.0.1 (the URL parser normalises them).
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.1/",
    "http://017700000001/",
  ];
  it.each(refused)("refuses %s", async (url) => {
    const error = await failure(safeFetch(url, { resolve: noDns }));
    expect(error.code).toBe("url_not_allowed");
    expect(error.status).toBe(422);
  });

  it("names the metadata endpoint", async () => {
    const error = await failure(safeFetch("http://169.254.169.254/", { resolve: noDns }));
    expect(error.message).toContain("metadata");
  });

  it("refuses a host name that resolves to a private address, even among public ones", async () => {
    const resolve = table({
      "inside.example": ["10.1.2.3"],
      "mixed.example": ["93.184.215.14", "192.168.0.1"],
      "v6.example": ["fd12:3456::1"],
      "mapped.example": ["::ffff:169.254.169.254"],
    });
    for (const host of ["inside.example", "mixed.example", "v6.example", "mapped.example"]) {
      const error = await failure(safeFetch(`https://${host}/a.mp3`, { resolve }));
      expect(error.code, host).toBe("url_not_allowed");
      expect(error.message).toContain(host);
    }
  });

  it("refuses other schemes, odd ports and credentials", async () => {
    for (const url of [
      "ftp://example.com/a.mp3",
      "file:///etc/passwd",
      "gopher://example.com/",
      "data:audio/mpeg;base64,SUQz",
      "javascript:alert(1)",
      "http://example.com:8080/a.mp3",
      "http://example.com:22/",
      "https://user:secret@example.com/a.mp3",
      "not a url",
      "/relative/path.mp3",
    ]) {
      const error = await failure(safeFetch(url, { resolve: noDns }));
      expect(error.code, url).toBe("url_not_allowed");
    }
  });

  it("says when a host name does not resolve", async () => {
    const error = await failure(safeFetch("https://nowhere.example/a.mp3", { resolve: table({}) }));
    expect(error.code).toBe("fetch_failed");
  });

  it("lets public addresses through", () => {
    for (const ok of ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
      expect(addressRefusal(ok), ok).toBeNull();
    expect(addressRefusal("127.0.0.1", ["127.0.0.0/8"])).toBeNull();
    expect(addressRefusal("10.0.0.1", ["127.0.0.0/8"])).toMatch(/private/);
    expect(addressRefusal("::1", ["127.0.0.0/8"])).toMatch(/loopback/);
  });
});

describe("safe fetch against a test server (127.0.0.1 allowed explicitly)", () => {
  let server: Server;
  let base: string;
  let hits: string[];
  let options: Partial<SafeFetchOptions>;

  beforeAll(async () => {
    hits = [];
    server = createServer((req, res) => {
      hits.push(`${req.headers.host ?? ""}${req.url ?? ""}`);
      const url = req.url ?? "/";
      if (url === "/song.mp3") {
        res.writeHead(200, { "content-type": "audio/mpeg", "content-length": MP3.length });
        return res.end(MP3);
      }
      if (url === "/named") {
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          "content-disposition": "attachment; filename*=UTF-8''%C3%89t%C3%A9.mp3",
        });
        return res.end(MP3);
      }
      if (url === "/page.html") {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<!doctype html><html><body>not audio</body></html>");
      }
      if (url === "/short") {
        res.writeHead(200);
        return res.end("ID");
      }
      if (url === "/endless") {
        res.writeHead(200, { "content-type": "audio/mpeg" });
        res.write(MP3);
        const chunk = Buffer.alloc(16 * 1024, 1);
        const timer = setInterval(() => res.write(chunk), 1);
        res.on("close", () => clearInterval(timer));
        return;
      }
      if (url === "/declared-huge") {
        res.writeHead(200, { "content-type": "audio/mpeg", "content-length": 10 ** 10 });
        return res.end();
      }
      if (url === "/to-song") {
        res.writeHead(302, { location: "/song.mp3" });
        return res.end();
      }
      if (url === "/to-private") {
        res.writeHead(302, { location: "http://10.0.0.1/song.mp3" });
        return res.end();
      }
      if (url === "/to-metadata") {
        res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/" });
        return res.end();
      }
      if (url === "/to-file") {
        res.writeHead(301, { location: "file:///etc/passwd" });
        return res.end();
      }
      if (url.startsWith("/loop")) {
        res.writeHead(302, { location: `/loop${url.length}` });
        return res.end();
      }
      if (url === "/slow") return; // never answers
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    options = {
      allowNetworks: ["127.0.0.1/32"],
      allowedPorts: [port],
      resolve: table({ "audio.test": ["127.0.0.1"] }),
      maxBytes: 4096,
      timeoutMs: 2000,
    };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("accepts audio from an allowed server", async () => {
    const file = await fetchAudio(`${base}/song.mp3`, options);
    expect(Buffer.from(file.bytes)).toEqual(MP3);
    expect(file).toMatchObject({
      contentType: "audio/mpeg",
      filename: "song.mp3",
      sniffed: { contentType: "audio/mpeg", extension: "mp3" },
    });
  });

  it("connects to the address it vetted, not to a second DNS answer", async () => {
    const port = new URL(base).port;
    const file = await fetchAudio(`http://audio.test:${port}/named`, options);
    expect(file.filename).toBe("Été.mp3");
    expect(hits.at(-1)).toBe(`audio.test:${port}/named`);
  });

  it("follows a redirect to an allowed place", async () => {
    const file = await fetchAudio(`${base}/to-song`, options);
    expect(file.url).toBe(`${base}/song.mp3`);
  });

  it("refuses a redirect from an allowed host to a private or metadata one", async () => {
    for (const path of ["/to-private", "/to-metadata", "/to-file"]) {
      const error = await failure(fetchAudio(`${base}${path}`, options));
      expect(error.code, path).toBe("url_not_allowed");
    }
  });

  it("stops after too many redirects", async () => {
    const error = await failure(fetchAudio(`${base}/loop`, options));
    expect(error.code).toBe("too_many_redirects");
  });

  it("refuses a body over the cap, declared or streamed", async () => {
    for (const path of ["/declared-huge", "/endless"]) {
      const error = await failure(fetchAudio(`${base}${path}`, options));
      expect(error.code, path).toBe("too_large");
      expect(error.status).toBe(413);
    }
  });

  it("refuses a body that is not audio", async () => {
    for (const path of ["/page.html", "/short"]) {
      const error = await failure(fetchAudio(`${base}${path}`, options));
      expect(error.code, path).toBe("not_audio");
      expect(error.status).toBe(415);
    }
  });

  it("gives up after the time limit", async () => {
    const error = await failure(fetchAudio(`${base}/slow`, { ...options, timeoutMs: 300 }));
    expect(error.code).toBe("fetch_timeout");
  });

  it("reports an upstream error status", async () => {
    const error = await failure(fetchAudio(`${base}/missing`, options));
    expect(error).toMatchObject({ code: "fetch_failed", extra: { upstreamStatus: 404 } });
  });

  it("refuses the same server without the test allowlist", async () => {
    const error = await failure(fetchAudio(`${base}/song.mp3`, { ...options, allowNetworks: [] }));
    expect(error.code).toBe("url_not_allowed");
  });
});

describe("audio sniffing", () => {
  const pad = (head: number[] | string) =>
    Buffer.concat([
      typeof head === "string" ? Buffer.from(head) : Buffer.from(head),
      Buffer.alloc(16),
    ]);
  it.each([
    ["ID3", pad("ID3\u0004"), "audio/mpeg"],
    ["MPEG frame", pad([0xff, 0xfb, 0x90, 0x64]), "audio/mpeg"],
    ["ADTS AAC", pad([0xff, 0xf1, 0x50, 0x80]), "audio/aac"],
    ["FLAC", pad("fLaC"), "audio/flac"],
    ["Ogg", pad("OggS"), "audio/ogg"],
    ["WAVE", pad("RIFF\u0024\u0000\u0000\u0000WAVEfmt "), "audio/wav"],
    ["M4A", pad("\u0000\u0000\u0000\u0020ftypM4A "), "audio/mp4"],
  ])("recognises %s", (_name, bytes, type) => {
    expect(sniffAudio(bytes)?.contentType).toBe(type);
  });
  it.each([
    ["HTML", pad("<!doctype html>")],
    ["PNG", pad([0x89, 0x50, 0x4e, 0x47])],
    ["RIFF AVI", pad("RIFF\u0000\u0000\u0000\u0000AVI ")],
    ["empty", Buffer.alloc(0)],
    ["bad frame", pad([0xff, 0xff, 0xff, 0xff])],
  ])("rejects %s", (_name, bytes) => {
    expect(sniffAudio(bytes)).toBeNull();
  });
});
