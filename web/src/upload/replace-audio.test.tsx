// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { act, cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { AxiosError, AxiosHeaders, type AxiosResponse } from "axios";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UPLOAD_DEFAULTS } from "../api/defaults";
import type { PresignedUpload, Upload, UploadTicket } from "../api/types";
import { POLL_FAILURES_TOLERATED, ReplaceAudio, type ReplaceApi } from "./replace-audio";

afterEach(cleanup);

const TRACK = { id: "11111111-1111-4111-8111-111111111111", title: "Night Drive" };
const UPLOAD_ID = "22222222-2222-4222-8222-222222222222";

const presigned: PresignedUpload = {
  method: "POST",
  url: "http://localhost:8000/storage/upload",
  fields: { key: `u/x/${UPLOAD_ID}/new.ogg`, policy: "p" },
  fileField: "file",
  expiresAt: "2026-01-01T00:15:00Z",
  maxBytes: 200 * 1024 * 1024,
};

const upload = (change: Partial<Upload> = {}): Upload => ({
  ...UPLOAD_DEFAULTS,
  id: UPLOAD_ID,
  filename: "new.ogg",
  replacesTrackId: TRACK.id,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  ...change,
});

/** A fake API whose transfer and pipeline answers the test drives. */
function setup(answers: Partial<Upload>[], request?: ReplaceApi["request"]) {
  let progress: (f: number) => void = () => {};
  let finish: () => void = () => {};
  const queue = answers.map((a) => upload(a));
  const api: ReplaceApi = {
    pollMs: 5,
    request: vi.fn(
      request ?? (async () => ({ upload: upload(), presigned }) satisfies UploadTicket),
    ),
    send: vi.fn(
      (_p, _file, onProgress) =>
        new Promise<void>((resolve) => {
          progress = (f) => {
            void act(() => onProgress(f));
          };
          finish = () => {
            act(resolve);
          };
        }),
    ),
    status: vi.fn(async () => (queue.length > 1 ? queue.shift()! : queue[0]!)),
  };
  const onReplaced = vi.fn();
  render(<ReplaceAudio track={TRACK} onReplaced={onReplaced} api={api} />);
  const user = userEvent.setup({ applyAccept: false });
  const group = screen.getByRole("group", { name: "Audio file of Night Drive" });
  const pick = (file: File) => user.upload(screen.getByLabelText(/New audio file for/), file);
  return {
    api,
    onReplaced,
    group,
    pick,
    progress: (f: number) => progress(f),
    finish: () => finish(),
  };
}

const oggFile = () => new File([new Uint8Array(4096)], "new.ogg", { type: "" });

describe("Replace audio (Studio)", () => {
  it("asks for a form for THIS track, sends the file with progress, then says the audio was replaced and lists the warnings", async () => {
    const t = setup([
      { status: "processing" },
      {
        status: "done",
        trackId: TRACK.id,
        detectedFormat: "ogg",
        warnings: ['the file is titled "Flagged 1"; the track keeps its title "Night Drive"'],
      },
    ]);
    expect(within(t.group).getByRole("button", { name: "Replace audio…" })).toBeEnabled();
    await t.pick(oggFile());
    await waitFor(() => expect(t.api.send).toHaveBeenCalled());
    // The browser gave no type for .ogg: the extension decides.
    expect(t.api.request).toHaveBeenCalledWith(TRACK.id, {
      filename: "new.ogg",
      contentType: "audio/ogg",
      size: 4096,
    });
    expect(within(t.group).getByRole("button", { name: "Replacing…" })).toBeDisabled();
    t.progress(0.4);
    expect(within(t.group).getByRole("progressbar")).toHaveAttribute("value", "0.4");
    expect(within(t.group).getByRole("status")).toHaveTextContent("Sending the file… 40%");

    t.finish();
    await waitFor(() =>
      expect(within(t.group).getByRole("status")).toHaveTextContent("Audio replaced"),
    );
    expect(t.onReplaced).toHaveBeenCalledTimes(1);
    expect(t.api.status).toHaveBeenCalledWith(UPLOAD_ID);
    expect(
      within(t.group).getByRole("list", { name: /Warnings about the new audio/ }),
    ).toHaveTextContent('The file is titled "Flagged 1"; the track keeps its title "Night Drive"');
    expect(within(t.group).queryByRole("alert")).toBeNull();
    expect(within(t.group).getByRole("button", { name: "Replace audio…" })).toBeEnabled();
  });

  it("shows why a refused file did not replace the audio, and that the track keeps its file", async () => {
    const t = setup([
      { status: "processing" },
      {
        status: "failed",
        failureReason: "this is a PNG image, not audio",
      },
    ]);
    await t.pick(new File([new Uint8Array(10)], "cover.mp3", { type: "audio/mpeg" }));
    await waitFor(() => expect(t.api.send).toHaveBeenCalled());
    t.finish();
    await waitFor(() =>
      expect(within(t.group).getByRole("alert")).toHaveTextContent(
        "This is a PNG image, not audio",
      ),
    );
    expect(within(t.group).getByRole("status")).toHaveTextContent(
      "the track keeps its current file",
    );
    expect(t.onReplaced).not.toHaveBeenCalled();
  });

  it("shows the API's refusal (a replacement already under way) without sending anything", async () => {
    const conflict = new AxiosError("Request failed", "ERR_BAD_REQUEST", undefined, undefined, {
      status: 409,
      statusText: "",
      headers: {},
      config: { headers: new AxiosHeaders() },
      data: {
        type: "about:blank",
        title: "Conflict",
        status: 409,
        code: "replace_in_progress",
        detail: "A replacement of this track's audio is already under way.",
      },
    } as AxiosResponse);
    const t = setup([], async () => {
      throw conflict;
    });
    await t.pick(oggFile());
    await waitFor(() =>
      expect(within(t.group).getByRole("alert")).toHaveTextContent("already under way"),
    );
    expect(t.api.send).not.toHaveBeenCalled();
    expect(t.onReplaced).not.toHaveBeenCalled();
  });

  const networkDown = () => new AxiosError("Network Error", "ERR_NETWORK");
  const gatewayError = () =>
    new AxiosError("Request failed", "ERR_BAD_RESPONSE", undefined, undefined, {
      status: 502,
      statusText: "",
      headers: {},
      config: { headers: new AxiosHeaders() },
      data: "",
    } as AxiosResponse);

  it("rides out status polls that fail for a while (network, 502) and still says the audio was replaced", async () => {
    const t = setup([{ status: "done", trackId: TRACK.id }]);
    const answer = t.api.status as ReturnType<typeof vi.fn>;
    answer
      .mockRejectedValueOnce(networkDown())
      .mockRejectedValueOnce(gatewayError())
      .mockRejectedValueOnce(networkDown());
    await t.pick(oggFile());
    await waitFor(() => expect(t.api.send).toHaveBeenCalled());
    t.finish();
    await waitFor(() =>
      expect(within(t.group).getByRole("status")).toHaveTextContent("Audio replaced"),
    );
    expect(t.onReplaced).toHaveBeenCalledTimes(1);
    expect(within(t.group).queryByRole("alert")).toBeNull();
  });

  it("when the server stays unreachable, says the outcome is unknown — never that the audio was not replaced", async () => {
    const t = setup([{ status: "processing" }]);
    (t.api.status as ReturnType<typeof vi.fn>).mockRejectedValue(networkDown());
    await t.pick(oggFile());
    await waitFor(() => expect(t.api.send).toHaveBeenCalled());
    t.finish();
    await waitFor(
      () =>
        expect(within(t.group).getByRole("status")).toHaveTextContent("it may still be replaced"),
      { timeout: 5000 },
    );
    expect(t.api.status).toHaveBeenCalledTimes(POLL_FAILURES_TOLERATED);
    expect(within(t.group).getByRole("status")).not.toHaveTextContent("was not replaced");
    expect(within(t.group).getByRole("button", { name: "Replace audio…" })).toBeEnabled();
  });
});
