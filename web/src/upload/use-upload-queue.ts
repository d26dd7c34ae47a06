import { useCallback, useEffect, useRef, useState } from "react";
import { getUpload, requestUpload } from "../api/endpoints";
import { isRetryable, messageOf } from "../api/problem";
import type { Upload } from "../api/types";
import { sentence } from "../format";
import { sendWithXhr, type SendFile } from "./transport";

export type ItemStage =
  "queued" | "requesting" | "uploading" | "pending" | "processing" | "done" | "failed";

export interface QueueItem {
  key: string;
  file: File;
  stage: ItemStage;
  /** 0–1 of the bytes sent. */
  progress: number;
  uploadId: string | null;
  trackId: string | null;
  /** Why it failed, in words. */
  error: string | null;
  /** Whether sending the same file again can help (not for a file refused as not audio). */
  retryable: boolean;
  /** Non-fatal findings of the pipeline, in words (a silent file, a title from the file name …). */
  warnings: string[];
  /** The format the pipeline found in the bytes (mp3, wav …), once processed. */
  detectedFormat: string | null;
}

export interface UploadApi {
  request: typeof requestUpload;
  status: typeof getUpload;
  send: SendFile;
  /** ms between status polls (tests use a small one). */
  pollMs: number;
}

const defaultApi: UploadApi = {
  request: requestUpload,
  status: getUpload,
  send: sendWithXhr,
  pollMs: 1000,
};

/** Uploads at once; the rest wait their turn. */
export const PARALLEL_UPLOADS = 2;

const EXT_TYPES: Record<string, string> = {
  mp3: "audio/mpeg",
  wav: "audio/wav",
  flac: "audio/flac",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  opus: "audio/opus",
  m4a: "audio/mp4",
  aac: "audio/aac",
  wma: "audio/x-ms-wma",
  aif: "audio/aiff",
  aiff: "audio/aiff",
};

/** The browser leaves `type` empty for some formats: fall back on the extension. */
export function contentTypeOf(file: File): string {
  if (file.type.startsWith("audio/")) return file.type;
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  return EXT_TYPES[ext] ?? (file.type || "application/octet-stream");
}

let seq = 0;

/**
 * Several files at once: each asks the API for a presigned form, sends the bytes straight to
 * storage with a progress bar, then follows the pipeline (pending → processing → done or
 * failed with the reason) until it settles.
 */
export function useUploadQueue(api: Partial<UploadApi> = {}) {
  const apiRef = useRef<UploadApi>({ ...defaultApi, ...api });
  apiRef.current = { ...defaultApi, ...api };
  const [items, setItems] = useState<QueueItem[]>([]);
  const running = useRef(new Set<string>());
  const aborts = useRef(new Map<string, AbortController>());
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    const controllers = aborts.current;
    return () => {
      alive.current = false;
      for (const c of controllers.values()) c.abort();
    };
  }, []);

  const patch = useCallback((key: string, change: Partial<QueueItem>) => {
    if (!alive.current) return;
    setItems((list) => list.map((it) => (it.key === key ? { ...it, ...change } : it)));
  }, []);

  const fromUpload = (u: Upload): Partial<QueueItem> => ({
    stage: u.status,
    trackId: u.trackId,
    error: u.status === "failed" ? sentence(u.failureReason ?? "Processing failed.") : null,
    // The pipeline looked at the bytes and refused them: the same file would be refused again.
    retryable: false,
    // Older servers send neither.
    warnings: Array.isArray(u.warnings) ? u.warnings : [],
    detectedFormat: typeof u.detectedFormat === "string" ? u.detectedFormat : null,
  });

  const run = useCallback(
    async (item: QueueItem) => {
      const a = apiRef.current;
      const ctrl = new AbortController();
      aborts.current.set(item.key, ctrl);
      try {
        patch(item.key, { stage: "requesting", error: null, progress: 0 });
        const ticket = await a.request({
          filename: item.file.name,
          contentType: contentTypeOf(item.file),
          size: item.file.size,
        });
        patch(item.key, { stage: "uploading", uploadId: ticket.upload.id });
        await a.send(
          ticket.presigned,
          item.file,
          (f) => patch(item.key, { progress: f }),
          ctrl.signal,
        );
        patch(item.key, { stage: "pending", progress: 1 });
        for (;;) {
          if (!alive.current || ctrl.signal.aborted) return;
          const u = await a.status(ticket.upload.id);
          patch(item.key, fromUpload(u));
          if (u.status === "done" || u.status === "failed") return;
          await new Promise((r) => setTimeout(r, a.pollMs));
        }
      } catch (error) {
        patch(item.key, {
          stage: "failed",
          error: messageOf(error),
          retryable: isRetryable(error),
        });
      } finally {
        aborts.current.delete(item.key);
      }
    },
    [patch],
  );

  // Start queued items while there is room.
  useEffect(() => {
    const sending = new Set<ItemStage>(["queued", "requesting", "uploading"]);
    const active = items.filter((i) => running.current.has(i.key) && sending.has(i.stage)).length;
    let room = PARALLEL_UPLOADS - active;
    for (const item of items) {
      if (room <= 0) break;
      if (item.stage !== "queued" || running.current.has(item.key)) continue;
      running.current.add(item.key);
      room--;
      void run(item).finally(() => running.current.delete(item.key));
    }
  }, [items, run]);

  const add = useCallback((files: Iterable<File>) => {
    const added = [...files].map<QueueItem>((file) => ({
      key: `f${++seq}`,
      file,
      stage: "queued",
      progress: 0,
      uploadId: null,
      trackId: null,
      error: null,
      retryable: true,
      warnings: [],
      detectedFormat: null,
    }));
    setItems((list) => [...list, ...added]);
  }, []);

  const retry = useCallback((key: string) => {
    setItems((list) =>
      list.map((it) =>
        it.key === key ? { ...it, stage: "queued", progress: 0, error: null, uploadId: null } : it,
      ),
    );
  }, []);

  const clearFinished = useCallback(() => {
    setItems((list) => list.filter((it) => it.stage !== "done" && it.stage !== "failed"));
  }, []);

  return { items, add, retry, clearFinished };
}
