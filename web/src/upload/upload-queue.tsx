import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { formatBytes, sentence } from "../format";
import { useUploadQueue, type ItemStage, type QueueItem, type UploadApi } from "./use-upload-queue";

const STAGE_WORDS: Record<ItemStage, string> = {
  queued: "Waiting to start",
  requesting: "Preparing",
  uploading: "Uploading",
  pending: "Uploaded, waiting for processing",
  processing: "Processing (reading tags, analysing audio)",
  done: "Done",
  failed: "Failed",
};

/** Several audio files at once, each with its progress bar and its pipeline status. */
export function UploadQueue({
  api,
  onDone,
}: {
  api?: Partial<UploadApi>;
  /** Called with the track id when a file has been ingested. */
  onDone?: (trackId: string) => void;
}) {
  const { items, add, retry, clearFinished } = useUploadQueue(api);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const [over, setOver] = useState(false);
  const reported = useRef(new Set<string>());

  useEffect(() => {
    for (const it of items) {
      if (it.stage === "done" && it.trackId && !reported.current.has(it.key)) {
        reported.current.add(it.key);
        onDone?.(it.trackId);
      }
    }
  }, [items, onDone]);

  return (
    <section aria-labelledby={`${id}-title`} className="upload-queue">
      <h2 id={`${id}-title`}>Upload tracks</h2>
      <div
        className={`dropzone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          add(e.dataTransfer.files);
        }}
      >
        <label htmlFor={`${id}-files`}>
          Choose audio files (MP3, WAV, FLAC, OGG, Opus, M4A; up to 200 MB each) or drop them here
        </label>
        <input
          ref={input}
          id={`${id}-files`}
          type="file"
          accept="audio/*,.mp3,.wav,.flac,.ogg,.opus,.m4a,.aac,.wma"
          multiple
          onChange={(e) => {
            if (e.target.files) add(e.target.files);
            e.target.value = "";
          }}
        />
      </div>
      {items.length > 0 && (
        <>
          <ul className="upload-list" aria-label="Uploads in progress">
            {items.map((it) => (
              <UploadRow key={it.key} item={it} retry={() => retry(it.key)} />
            ))}
          </ul>
          {items.some((it) => it.stage === "done" || it.stage === "failed") && (
            <button type="button" className="link-button" onClick={clearFinished}>
              Clear finished
            </button>
          )}
        </>
      )}
    </section>
  );
}

function UploadRow({ item, retry }: { item: QueueItem; retry: () => void }) {
  const pct = Math.round(item.progress * 100);
  const id = useId();
  return (
    <li className={`upload-row stage-${item.stage}`}>
      <div className="upload-head">
        <strong id={`${id}-name`}>{item.file.name}</strong>
        <span className="muted">{formatBytes(item.file.size)}</span>
      </div>
      <progress
        max={100}
        value={pct}
        aria-labelledby={`${id}-name`}
        aria-valuetext={`${pct}% sent`}
      />
      <p className="upload-status" role="status" aria-live="polite">
        <span className={`badge stage ${item.stage}`}>{STAGE_WORDS[item.stage]}</span>{" "}
        {item.stage === "uploading" && `${pct}%`}
        {item.detectedFormat && (
          <span className="muted">Format: {item.detectedFormat.toUpperCase()} </span>
        )}
        {item.stage === "done" && item.trackId && (
          <Link to={`/tracks/${item.trackId}`}>Open the track</Link>
        )}
      </p>
      {item.warnings.length > 0 && (
        <ul className="upload-warnings" aria-label={`Warnings about ${item.file.name}`}>
          {item.warnings.map((w) => (
            <li key={w}>{sentence(w)}</li>
          ))}
        </ul>
      )}
      {item.error && (
        <p className="upload-error" role="alert">
          {item.error}
          {item.retryable && (
            <>
              {" "}
              <button type="button" className="link-button" onClick={retry}>
                Try again
              </button>
            </>
          )}
        </p>
      )}
    </li>
  );
}
