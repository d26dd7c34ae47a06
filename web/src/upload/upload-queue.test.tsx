// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { act, cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { AxiosError, AxiosHeaders, type AxiosResponse } from "axios";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PresignedUpload, Upload, UploadTicket } from "../api/types";
import { codeOf, reasonFor, TransferError } from "./transport";
import { UPLOAD_DEFAULTS } from "../api/defaults";
import { UploadQueue } from "./upload-queue";
import type { UploadApi } from "./use-upload-queue";

afterEach(cleanup);

const presigned: PresignedUpload = {
  method: "POST",
  url: "http://localhost:8000/storage/upload",
  fields: { key: "u/x/y/song.mp3", policy: "p" },
  fileField: "file",
  expiresAt: "2026-01-01T00:15:00Z",
  maxBytes: 200 * 1024 * 1024,
};

const upload = (id: string, filename: string, change: Partial<Upload> = {}): Upload => ({
  ...UPLOAD_DEFAULTS,
  id,
  status: "pending",
  filename,
  contentType: "audio/mpeg",
  sizeBytes: 10,
  trackId: null,
  failureReason: null,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  ...change,
});

const problem = (status: number, detail: string) =>
  new AxiosError("Request failed", "ERR_BAD_REQUEST", undefined, undefined, {
    status,
    statusText: "",
    headers: {},
    config: { headers: new AxiosHeaders() },
    data: { type: "about:blank", title: "Unsupported", status, code: "not_audio", detail },
  } as AxiosResponse);

/** A fake API where each file's transfer and pipeline are driven by the test. */
function fakeApi() {
  const sends = new Map<string, { progress: (f: number) => void; finish: () => void }>();
  const statuses = new Map<string, Upload[]>();
  let n = 0;
  const api: UploadApi = {
    pollMs: 5,
    request: vi.fn(async (input: { filename: string; contentType: string; size: number }) => {
      if (input.filename.endsWith(".txt"))
        throw problem(415, "Only audio files can be uploaded (got text/plain).");
      const id = `00000000-0000-4000-8000-00000000000${++n}`;
      statuses.set(id, [upload(id, input.filename, { status: "processing" })]);
      return { upload: upload(id, input.filename), presigned } satisfies UploadTicket;
    }),
    send: vi.fn(
      (_p, file: File, onProgress: (f: number) => void) =>
        new Promise<void>((resolve) => {
          sends.set(file.name, {
            progress: (f) => act(() => onProgress(f)),
            finish: () => act(resolve),
          });
        }),
    ),
    status: vi.fn(async (id: string) => {
      const list = statuses.get(id)!;
      return list.length > 1 ? list.shift()! : list[0]!;
    }),
  };
  /** What GET /uploads/{id} answers next for the file, in order (the last one repeats). */
  const then = (filename: string, ...answers: Partial<Upload>[]) => {
    const id = [...statuses.entries()].find(([, l]) => l[0]!.filename === filename)![0];
    statuses.set(
      id,
      answers.map((a) => upload(id, filename, a)),
    );
  };
  return { api, sends, then };
}

const audioFile = (name: string, type = "audio/mpeg") =>
  new File([new Uint8Array(2048)], name, { type });
const row = (name: string) => screen.getByText(name).closest("li")!;

function setup() {
  const fake = fakeApi();
  const onDone = vi.fn();
  render(
    <MemoryRouter>
      <UploadQueue api={fake.api} onDone={onDone} />
    </MemoryRouter>,
  );
  // A picker can still hand over any file ("All files"): accept is a hint, not a filter.
  return { ...fake, onDone, user: userEvent.setup({ applyAccept: false }) };
}

describe("upload queue", () => {
  it("uploads several files at once, each with its own progress bar", async () => {
    const { user, sends, api } = setup();
    await user.upload(screen.getByLabelText(/Choose audio files/), [
      audioFile("one.mp3"),
      audioFile("two.flac", ""),
    ]);
    await waitFor(() => expect(sends.size).toBe(2));
    // The browser gave no type for .flac: the extension decides.
    expect(api.request).toHaveBeenCalledWith({
      filename: "two.flac",
      contentType: "audio/flac",
      size: 2048,
    });

    sends.get("one.mp3")!.progress(0.5);
    sends.get("two.flac")!.progress(0.2);
    expect(within(row("one.mp3")).getByRole("progressbar")).toHaveAttribute("value", "50");
    expect(within(row("two.flac")).getByRole("progressbar")).toHaveAttribute("value", "20");
    expect(within(row("one.mp3")).getByRole("status")).toHaveTextContent("Uploading 50%");
  });

  it("follows the pipeline to done and links the new track", async () => {
    const { user, sends, then, onDone } = setup();
    await user.upload(screen.getByLabelText(/Choose audio files/), audioFile("song.mp3"));
    await waitFor(() => expect(sends.has("song.mp3")).toBe(true));
    then(
      "song.mp3",
      { status: "processing" },
      { status: "processing" },
      { status: "done", trackId: "99999999-9999-4999-8999-999999999999" },
    );
    sends.get("song.mp3")!.finish();
    await waitFor(() =>
      expect(within(row("song.mp3")).getByRole("status")).toHaveTextContent("Processing"),
    );
    await waitFor(() =>
      expect(within(row("song.mp3")).getByRole("status")).toHaveTextContent("Done"),
    );
    expect(screen.getByRole("link", { name: "Open the track" })).toHaveAttribute(
      "href",
      "/tracks/99999999-9999-4999-8999-999999999999",
    );
    // Reported from an effect once the row shows "Done": wait for it rather than race it.
    await waitFor(() =>
      expect(onDone).toHaveBeenCalledWith("99999999-9999-4999-8999-999999999999"),
    );
  });

  it("shows why a file failed, in words, and offers no retry when the file itself was refused", async () => {
    const { user, sends, then, api } = setup();
    await user.upload(screen.getByLabelText(/Choose audio files/), [
      audioFile("broken.mp3"),
      audioFile("notes.txt", "text/plain"),
    ]);
    // Refused by the API before any bytes are sent: the problem+json detail is shown.
    await waitFor(() =>
      expect(within(row("notes.txt")).getByRole("alert")).toHaveTextContent(
        "Only audio files can be uploaded (got text/plain).",
      ),
    );
    await waitFor(() => expect(sends.has("broken.mp3")).toBe(true));
    then("broken.mp3", {
      status: "failed",
      failureReason: "The file is not audio we can read: no MPEG frames found.",
    });
    sends.get("broken.mp3")!.finish();
    await waitFor(() =>
      expect(within(row("broken.mp3")).getByRole("alert")).toHaveTextContent(
        "The file is not audio we can read: no MPEG frames found.",
      ),
    );
    expect(within(row("broken.mp3")).getByRole("status")).toHaveTextContent("Failed");

    // The same bytes would be refused again: no "Try again" for either.
    expect(within(row("broken.mp3")).queryByRole("button", { name: "Try again" })).toBeNull();
    expect(within(row("notes.txt")).queryByRole("button", { name: "Try again" })).toBeNull();
    expect(api.request).toHaveBeenCalledTimes(2);
  });

  it("sends at most two files at a time", async () => {
    const { user, sends } = setup();
    await user.upload(screen.getByLabelText(/Choose audio files/), [
      audioFile("a.mp3"),
      audioFile("b.mp3"),
      audioFile("c.mp3"),
    ]);
    await waitFor(() => expect(sends.size).toBe(2));
    expect(within(row("c.mp3")).getByRole("status")).toHaveTextContent("Waiting to start");
    sends.get("a.mp3")!.finish();
    await waitFor(() => expect(sends.has("c.mp3")).toBe(true));
  });

  it("shows the pipeline's warnings and the format it found in the bytes", async () => {
    const { user, sends, then } = setup();
    await user.upload(screen.getByLabelText(/Choose audio files/), audioFile("quiet.mp3"));
    await waitFor(() => expect(sends.has("quiet.mp3")).toBe(true));
    then("quiet.mp3", {
      status: "done",
      trackId: "99999999-9999-4999-8999-999999999999",
      detectedFormat: "wav",
      warnings: ["the file is silent", "the title was taken from the file name"],
    });
    sends.get("quiet.mp3")!.finish();
    const warnings = await within(row("quiet.mp3")).findByRole("list", {
      name: "Warnings about quiet.mp3",
    });
    expect(
      within(warnings)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["The file is silent", "The title was taken from the file name"]);
    expect(within(row("quiet.mp3")).getByRole("status")).toHaveTextContent("Format: WAV");
  });

  it("says clearly when an upload form was already used, and a retry asks for a new one", async () => {
    const { user, api, sends } = setup();
    const body = JSON.stringify({
      type: "about:blank",
      status: 403,
      code: "upload_form_used",
      detail: "This upload form was already used: each form stores one file once.",
    });
    vi.mocked(api.send).mockRejectedValueOnce(
      new TransferError(reasonFor(403, body), 403, codeOf(body)),
    );
    await user.upload(screen.getByLabelText(/Choose audio files/), audioFile("twice.mp3"));
    const alert = await within(row("twice.mp3")).findByRole("alert");
    expect(alert).toHaveTextContent("This upload form was already used");
    expect(alert).toHaveTextContent("asks for a new one");
    await user.click(within(row("twice.mp3")).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(sends.has("twice.mp3")).toBe(true));
    expect(api.request).toHaveBeenCalledTimes(2);
  });

  it("reads the store's refusal codes from problem+json and S3 XML", () => {
    expect(codeOf('{"code":"upload_form_used"}')).toBe("upload_form_used");
    expect(codeOf("<Error><Code>AccessDenied</Code></Error>")).toBe("AccessDenied");
    expect(
      reasonFor(403, "<Error><Code>AccessDenied</Code><Message>Policy expired</Message></Error>"),
    ).toBe("The upload was refused: Policy expired");
  });
});
