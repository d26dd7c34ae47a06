/** What transform stages on the upload for load to read: the shape lives with its owner, the upload lifecycle. */
export type { StagedTrack } from "@jonquils/core/upload/staged";
