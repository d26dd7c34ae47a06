import { isAxiosError } from "axios";
import { useEffect, useRef, useState, type ChangeEvent } from "react";
import { getUpload, requestReplacement } from "../api/endpoints";
import { messageOf } from "../api/problem";
import type { Track, Upload } from "../api/types";
import { sentence } from "../format";
import { sendWithXhr, type SendFile } from "./transport";
import { contentTypeOf } from "./use-upload-queue";

export interface ReplaceApi {
  request: typeof requestReplacement;
  status: typeof getUpload;
  send: SendFile;
  /** ms between status polls (tests use a small one). */
  pollMs: number;
}

const defaultApi: ReplaceApi = {
  request: requestReplacement,
  status: getUpload,
  send: sendWithXhr,
  pollMs: 1000,
};

type Stage = "idle" | "requesting" | "uploading" | "processing" | "done" | "failed" | "unknown";

/** Status polls in a row that may fail (network, 5xx, 429) before the screen stops following. */
export const POLL_FAILURES_TOLERATED = 8;

/** A status poll that failed for a reason that may pass (a 4xx other than 408/429 will not). */
const transient = (err: unknown) => {
  if (!isAxiosError(err)) return false;
  const status = err.response?.status;
  return status === undefined || status >= 500 || status === 408 || status === 429;
};

const STAGE_TEXT: Record<Stage, string> = {
  idle: "",
  requesting: "Preparing the upload…",
  uploading: "Sending the file…",
  processing: "Checking and analysing the new audio…",
  done: "Audio replaced: the track now plays the new file.",
  failed: "The audio was not replaced: the track keeps its current file.",
  unknown:
    "The server stopped answering while the new audio was processed: it may still be replaced — check the track again in a minute.",
};

/**
 * "Replace audio" for one of the artist's tracks: picks a file, asks for a single-use form
 * (POST /api/v1/tracks/{id}/audio), sends the file with a progress bar and follows the
 * pipeline. The same track gets the new file (likes, playlists and plays stay); a refused
 * file leaves it untouched, and either way the reason and any warnings are shown.
 */
export function ReplaceAudio({
  track,
  onReplaced,
  api = {},
}: {
  track: Pick<Track, "id" | "title">;
  /** Called once the track plays the new file (reload the list). */
  onReplaced?: () => void;
  api?: Partial<ReplaceApi>;
}) {
  const a = { ...defaultApi, ...api };
  const input = useRef<HTMLInputElement>(null);
  const alive = useRef(true);
  const [stage, setStage] = useState<Stage>("idle");
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [upload, setUpload] = useState<Upload | null>(null);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  const busy = stage === "requesting" || stage === "uploading" || stage === "processing";

  async function replace(file: File) {
    setError(null);
    setUpload(null);
    setProgress(0);
    setStage("requesting");
    try {
      const ticket = await a.request(track.id, {
        filename: file.name,
        contentType: contentTypeOf(file),
        size: file.size,
      });
      if (!alive.current) return;
      setStage("uploading");
      await a.send(ticket.presigned, file, (f) => {
        if (alive.current) setProgress(f);
      });
      if (!alive.current) return;
      setStage("processing");
      // The file is sent: from here the replacement goes on without us, so a poll that fails
      // for a reason that may pass is retried (backing off) and never reported as "not replaced".
      let failures = 0;
      for (;;) {
        let u: Upload;
        try {
          u = await a.status(ticket.upload.id);
          failures = 0;
        } catch (err) {
          if (!transient(err)) throw err;
          if (!alive.current) return;
          if (++failures >= POLL_FAILURES_TOLERATED) {
            setStage("unknown");
            return;
          }
          await new Promise((r) => setTimeout(r, a.pollMs * Math.min(2 ** failures, 10)));
          continue;
        }
        if (!alive.current) return;
        setUpload(u);
        if (u.status === "done") {
          setStage("done");
          onReplaced?.();
          return;
        }
        if (u.status === "failed") {
          setError(sentence(u.failureReason ?? "Processing failed."));
          setStage("failed");
          return;
        }
        await new Promise((r) => setTimeout(r, a.pollMs));
      }
    } catch (err) {
      if (!alive.current) return;
      setError(messageOf(err));
      setStage("failed");
    }
  }

  const picked = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.currentTarget.files?.[0];
    e.currentTarget.value = "";
    if (file) void replace(file);
  };

  const warnings = upload?.warnings ?? [];
  return (
    <div className="replace-audio" aria-label={`Audio file of ${track.title}`} role="group">
      <input
        ref={input}
        type="file"
        accept="audio/*,.mp3,.wav,.flac,.ogg,.opus,.m4a,.aac,.wma"
        className="visually-hidden"
        tabIndex={-1}
        aria-label={`New audio file for ${track.title}`}
        onChange={picked}
      />
      <button type="button" disabled={busy} onClick={() => input.current?.click()}>
        {busy ? "Replacing…" : "Replace audio…"}
      </button>
      {stage === "uploading" && (
        <progress
          max={1}
          value={progress}
          aria-label={`Sending the new audio for ${track.title}`}
        />
      )}
      <span role="status" className="muted">
        {stage === "uploading"
          ? `${STAGE_TEXT.uploading} ${Math.round(progress * 100)}%`
          : STAGE_TEXT[stage]}
      </span>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {warnings.length > 0 && (
        <ul
          className="upload-warnings"
          aria-label={`Warnings about the new audio for ${track.title}`}
        >
          {warnings.map((w) => (
            <li key={w}>{sentence(w)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
