/**
 * The screens of the player-app features (likes, ratings, smart playlists, radio, player apps,
 * export, artist analytics, volume normalisation), accessibility (axe-core on every page: no
 * serious or critical violation; focus visible) and the player driven by the keyboard alone —
 * in Debian's Chromium against `npm start` with the demo catalog.
 */
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, ROOT, startLocalStack, type LocalStack } from "./harness";

const chromium = findChromium();
const SHOTS = join(
  ROOT,
  process.env["UPDATE_SCREENSHOTS"] === "1" ? "docs/screenshots" : "docs/screenshots/latest",
);
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  impact: "minor" | "moderate" | "serious" | "critical" | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is now: the serious and critical violations, in words. */
async function axeProblems(page: Page, where: string): Promise<string[]> {
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<unknown> } }).axe;
    const result = (await axe.run(document)) as { violations: unknown[] };
    return result.violations;
  });
  return (violations as AxeViolation[])
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${where}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(", ")}`,
    );
}

describe.skipIf(!chromium)("player-app screens, accessibility and keyboard (Chromium)", () => {
  let stack: LocalStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let artist: { username: string; password: string };
  let listener: { username: string; password: string };
  const consoleErrors: string[] = [];
  const watch = (p: Page) => {
    p.on("console", (m) => {
      // A revoked app password's ping is expected to fail in the page's own fetch, never here.
      if (m.type() === "error") consoleErrors.push(`${p.url()}: ${m.text()}`);
    });
    p.on("pageerror", (e) => consoleErrors.push(`${p.url()}: ${e.message}`));
  };

  const signOut = async (p: Page) => {
    await p.getByRole("button", { name: "Sign out" }).click();
    await p.getByRole("link", { name: "Sign in" }).waitFor();
  };
  /** Signs in, signing out first whoever this browser context still has signed in. */
  const signIn = async (p: Page, account: { username: string; password: string }) => {
    await p.goto(stack.webUrl);
    await p.locator(".account button, .account a").first().waitFor();
    if (await p.getByRole("button", { name: "Sign out" }).isVisible()) await signOut(p);
    await p.goto(`${stack.webUrl}/login`);
    await p.getByLabel("Username or email").fill(account.username);
    await p.getByLabel("Password").fill(account.password);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.getByRole("button", { name: "Sign out" }).waitFor();
  };
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    stack = await startLocalStack();
    const accounts = JSON.parse(
      await readFile(join(stack.dataDir, "demo-accounts.json"), "utf8"),
    ) as { username: string; password: string; role: string }[];
    artist = accounts.find((a) => a.role === "artist")!;
    listener = accounts.find((a) => a.username === "listener")!;
    const { chromium: launcher } = await import("playwright-core");
    browser = await launcher.launch({
      executablePath: chromium!,
      args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio"],
    });
    context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(60_000);
    // axe-core in every page before the app's own scripts (DevTools injection: the strict CSP
    // of the app stays as it is).
    await context.addInitScript({ path: AXE });
    page = await context.newPage();
    watch(page);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  it("likes, rates, builds a smart playlist, plays a radio, connects an app and exports", async () => {
    await signIn(page, listener);

    // A heart on a popular track: it lands in Liked songs.
    await page.goto(stack.webUrl);
    const popular = page.getByRole("list", { name: "Popular" });
    const first = popular.getByRole("listitem").first();
    const title = (await first.locator(".track-title").textContent())!;
    const trackId = (await first.locator(".track-title").getAttribute("href"))!.split("/").pop()!;
    const heart = first.getByRole("button", { name: `Like ${title}` });
    await expect.poll(() => heart.getAttribute("aria-pressed")).toBe("false");
    await heart.click();
    await expect.poll(() => heart.getAttribute("aria-pressed")).toBe("true");
    await page.getByRole("link", { name: "Playlists" }).click();
    await page.getByRole("link", { name: "Liked songs" }).click();
    await page
      .getByRole("list", { name: "Liked songs" })
      .getByRole("link", { name: title })
      .waitFor();
    await page.screenshot({ path: join(SHOTS, "liked-songs.png") });

    // Four stars on its page (held by the account: the smart playlist below reads it).
    await page.goto(`${stack.webUrl}/tracks/${trackId}`);
    await page.getByRole("heading", { name: title, level: 1 }).waitFor();
    await page
      .getByRole("radiogroup", { name: `Your rating of ${title}` })
      .getByRole("radio", { name: "4 stars" })
      .click();
    await expect
      .poll(() => page.getByRole("radio", { name: "4 stars" }).getAttribute("aria-checked"))
      .toBe("true");

    // A smart playlist of liked songs rated 4+: the preview finds that track.
    await page.goto(`${stack.webUrl}/playlists`);
    await page.getByRole("link", { name: "New smart playlist" }).click();
    await page.getByRole("heading", { name: "New smart playlist" }).waitFor();
    await page.getByLabel("Name").fill("Loved and rated");
    await page.getByLabel("Only songs I liked").check();
    await page.getByLabel("Your rating").selectOption("4");
    await page.getByRole("button", { name: "Create and preview" }).click();
    const preview = page.getByRole("list", { name: "Tracks matching Loved and rated" });
    await preview.getByRole("link", { name: title }).waitFor();
    expect(await preview.getByRole("listitem").count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, "smart-playlist.png") });
    // A rule nothing meets empties the preview.
    await page.getByLabel("Tempo from").fill("399");
    await page.getByRole("button", { name: "Save and preview" }).click();
    await page.getByText(/No track matches these rules yet/).waitFor();

    // "More like this" from the track: a radio of similar tracks that plays.
    await page.goto(`${stack.webUrl}/tracks/${trackId}`);
    await page.getByRole("link", { name: "More like this" }).click();
    const similar = page.getByRole("list", { name: `More like ${title}` });
    await similar.getByRole("listitem").first().waitFor();
    expect(await similar.getByRole("listitem").count()).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Play radio" }).click();
    const player = page.getByRole("region", { name: "Player" });
    await player.getByRole("link", { name: title }).waitFor();
    await player.getByRole("button", { name: "Pause" }).waitFor();
    await page.screenshot({ path: join(SHOTS, "radio.png") });

    // Normalize volume: the element volume follows the track's gain when the API sends one.
    await player.getByText(/^Queue/).click();
    await player.getByLabel("Normalize volume").check();
    const apiTrack = (await (await fetch(`${stack.apiUrl}/api/v1/tracks/${trackId}`)).json()) as {
      trackGainDb?: number | null;
    };
    const slider = Number(await player.getByRole("slider", { name: "Volume" }).inputValue()) / 100;
    const expected =
      typeof apiTrack.trackGainDb === "number"
        ? Math.min(1, slider * 10 ** (apiTrack.trackGainDb / 20))
        : slider;
    await expect
      .poll(() => page.locator("audio").evaluate((a: HTMLAudioElement) => a.volume))
      .toBeCloseTo(expected, 2);
    await player.getByRole("button", { name: "Pause" }).click();
    await player.getByText(/^Queue/).click();

    // Connect a player app: an app password, shown once, works for the Subsonic API; revoked, it does not.
    await page.getByRole("link", { name: "Player apps" }).click();
    await page.getByRole("heading", { name: "Connect a player app" }).waitFor();
    expect(await page.getByLabel("Server URL", { exact: true }).textContent()).toBe(stack.apiUrl);
    const passwords = page.getByRole("region", { name: "App passwords" });
    await passwords.getByLabel("Name").fill("Symfonium on my phone");
    await passwords.getByRole("button", { name: "Create app password" }).click();
    const secret = (await passwords
      .getByLabel("The new app password", { exact: true })
      .textContent())!.trim();
    expect(secret.length).toBeGreaterThan(10);
    const ping = async () =>
      (await (
        await fetch(
          `${stack.apiUrl}/rest/ping.view?u=${listener.username}&p=${encodeURIComponent(secret)}&c=e2e&v=1.16.1&f=json`,
        )
      ).json()) as { "subsonic-response": { status: string } };
    expect((await ping())["subsonic-response"].status).toBe("ok");
    const row = passwords.getByRole("row", { name: /Symfonium on my phone/ });
    await row.waitFor();
    expect(await row.textContent()).not.toContain(secret);
    await page.screenshot({ path: join(SHOTS, "connect-app.png") });
    page.once("dialog", (d) => void d.accept());
    await row.getByRole("button", { name: "Revoke Symfonium on my phone" }).click();
    await passwords.getByText("Revoked “Symfonium on my phone”.").waitFor();
    expect((await ping())["subsonic-response"].status).toBe("failed");
    const keys = page.getByRole("region", { name: "API keys" });
    await keys.getByLabel("Name").fill("Feishin");
    await keys.getByRole("button", { name: "Create API key" }).click();
    const apiKey = (await keys
      .getByLabel("The new API key", { exact: true })
      .textContent())!.trim();
    const token = (await (
      await fetch(
        `${stack.apiUrl}/rest/tokenInfo.view?apiKey=${encodeURIComponent(apiKey)}&c=e2e&v=1.16.1&f=json`,
      )
    ).json()) as { "subsonic-response": { status: string; tokenInfo?: { username: string } } };
    expect(token["subsonic-response"].tokenInfo?.username).toBe(listener.username);

    // Export one of the listener's playlists as M3U8 through its signed link.
    await page.goto(`${stack.webUrl}/playlists`);
    await page.getByRole("link", { name: "Late night favourites" }).click();
    const tracksOf = page.getByRole("list", { name: "Tracks of Late night favourites" });
    const firstTitle = (await tracksOf.locator(".track-title").first().textContent())!;
    await page.getByLabel("Export as").selectOption("m3u8");
    await page.getByRole("button", { name: "Export", exact: true }).click();
    const download = page.getByRole("link", { name: /Download M3U8/ });
    const href = (await download.getAttribute("href"))!;
    const file = await (await fetch(new URL(href, stack.webUrl))).text();
    expect(file.startsWith("#EXTM3U")).toBe(true);
    expect(file).toContain(firstTitle);
    await page.screenshot({ path: join(SHOTS, "playlist-export.png") });

    // An artist sees their own audience.
    await signOut(page);
    await signIn(page, artist);
    await page.getByRole("link", { name: "Studio" }).click();
    await page.getByRole("link", { name: "Your audience" }).click();
    await page.getByRole("heading", { name: /^Your audience — / }).waitFor();
    await page.getByTestId("artist-plays").waitFor();
    await page.screenshot({ path: join(SHOTS, "artist-analytics.png") });

    expect(consoleErrors).toEqual([]);
  }, 300_000);

  it("has no serious or critical axe violation on any page, and focus is visible", async () => {
    const problems: string[] = [];
    const p = await context.newPage();
    watch(p);
    const visit = async (path: string, ready: (pg: Page) => Promise<unknown>) => {
      await p.goto(`${stack.webUrl}${path}`);
      await ready(p);
      await p.waitForLoadState("networkidle");
      problems.push(...(await axeProblems(p, path)));
    };
    const h1 = (pg: Page) => pg.locator("main h1").first().waitFor();

    // axe really runs: a button with no name is a critical violation it must report.
    await p.goto(stack.webUrl);
    await p.locator("main h1, main h2").first().waitFor();
    await p.evaluate(() =>
      document.querySelector("main")!.append(document.createElement("button")),
    );
    expect((await axeProblems(p, "probe")).join("\n")).toContain("button-name");

    // Signed out.
    if (await p.getByRole("button", { name: "Sign out" }).isVisible()) await signOut(p);
    await visit("/", (pg) =>
      pg.getByRole("list", { name: "Popular" }).getByRole("listitem").first().waitFor(),
    );
    const trackHref = (await p
      .getByRole("list", { name: "Popular" })
      .locator(".track-title")
      .first()
      .getAttribute("href"))!;
    const trackId = trackHref.split("/").pop()!;
    await visit("/login", h1);
    await visit("/register", h1);
    await visit("/search?q=aurora", (pg) =>
      pg.getByRole("list", { name: "Track results" }).waitFor(),
    );
    await visit("/nowhere", h1);

    // Signed in as the demo artist: every page they can open.
    await signIn(p, artist);
    await visit(trackHref, h1);
    const artistHref = (await p.locator(".byline a").first().getAttribute("href"))!;
    await visit(artistHref, h1);
    const albumHref = await p.locator('.cards a[href^="/albums/"]').first().getAttribute("href");
    if (albumHref) await visit(albumHref, h1);
    await visit("/playlists", h1);
    await visit("/liked", h1);
    await visit("/smart/new", h1);
    await visit(`/radio/${trackId}`, (pg) =>
      pg.getByRole("button", { name: "Play radio" }).waitFor(),
    );
    await visit("/connect", h1);
    await visit("/studio", (pg) => pg.getByRole("heading", { name: "Upload tracks" }).waitFor());
    await visit("/studio/analytics", (pg) => pg.getByTestId("artist-plays").waitFor());
    await visit("/stats", (pg) => pg.getByTestId("kpi-plays").waitFor());
    // The player with a track loaded and its queue menu open.
    await p.getByRole("link", { name: "Home", exact: true }).click();
    await p.getByRole("list", { name: "Popular" }).getByRole("button").first().click();
    await p.getByRole("region", { name: "Player" }).getByRole("button", { name: "Pause" }).click();
    await p
      .getByRole("region", { name: "Player" })
      .getByText(/^Queue/)
      .click();
    problems.push(...(await axeProblems(p, "player with its queue open")));
    await signOut(p);

    // The admin's ops page.
    await signIn(p, stack.admin);
    await visit("/ops", (pg) => pg.getByRole("heading", { name: "Operations" }).waitFor());

    // Focus is visible: each element Tab reaches on the home page draws an outline.
    await p.goto(stack.webUrl);
    await p.getByRole("list", { name: "Popular" }).getByRole("listitem").first().waitFor();
    const invisible: string[] = [];
    for (let i = 0; i < 25; i++) {
      await p.keyboard.press("Tab");
      const seen = await p.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        const drawn =
          (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
          style.boxShadow !== "none";
        return {
          drawn,
          what: `${el.tagName.toLowerCase()} ${el.getAttribute("aria-label") ?? el.textContent?.trim().slice(0, 30) ?? ""}`,
        };
      });
      if (seen && !seen.drawn) invisible.push(seen.what);
    }
    await p.close();
    expect(invisible).toEqual([]);
    expect(problems).toEqual([]);
  }, 300_000);

  it("plays by keyboard alone: Tab to a track, Enter, then the player's keys and buttons", async () => {
    const p = await context.newPage();
    watch(p);
    await p.bringToFront();
    await p.goto(stack.webUrl);
    await p.getByRole("heading", { name: "Popular" }).waitFor();
    const popular = p.getByRole("list", { name: "Popular" });
    await popular.getByRole("listitem").first().waitFor();
    const title = (await popular.locator(".track-title").first().textContent())!;
    // Tab until the first track's play button has focus.
    const focused: string[] = [];
    for (let i = 0; i < 60 && focused.at(-1) !== `Play ${title}`; i++) {
      await p.keyboard.press("Tab");
      focused.push(
        await p.evaluate(
          () =>
            document.activeElement?.getAttribute("aria-label") ??
            document.activeElement?.textContent?.trim().slice(0, 30) ??
            "",
        ),
      );
    }
    expect(focused.at(-1), focused.join(" | ")).toBe(`Play ${title}`);
    await p.keyboard.press("Enter");
    const player = p.getByRole("region", { name: "Player" });
    await player.getByRole("link", { name: title }).waitFor();
    await player.getByRole("button", { name: "Pause" }).waitFor();
    // Keys work from anywhere outside a text field: Escape the focus first.
    await p.locator("main").focus();
    await p.keyboard.press("k");
    await player.getByRole("button", { name: "Play" }).waitFor();
    await p.keyboard.press("k");
    await player.getByRole("button", { name: "Pause" }).waitFor();
    await p.keyboard.press("s");
    await expect
      .poll(() => player.getByRole("button", { name: "Shuffle" }).getAttribute("aria-pressed"))
      .toBe("true");
    await p.keyboard.press("r");
    await player.getByRole("button", { name: "Repeat: all" }).waitFor();
    // The next-track button, reached with Shift+Tab from the end of the page, pressed with Enter.
    await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let onNext = false;
    for (let i = 0; i < 30 && !onNext; i++) {
      await p.keyboard.press("Shift+Tab");
      onNext = await p.evaluate(
        () => document.activeElement?.getAttribute("aria-label") === "Next track",
      );
    }
    expect(onNext).toBe(true);
    await p.keyboard.press("Enter");
    await expect
      .poll(async () => (await player.locator(".track-title").textContent()) !== title)
      .toBe(true);
    // Space on the focused button pauses, like a click.
    await p.keyboard.press("Shift+Tab");
    await p.keyboard.press("Space");
    await player.getByRole("button", { name: "Play" }).waitFor();
    await p.close();
    expect(consoleErrors).toEqual([]);
  }, 180_000);
});
