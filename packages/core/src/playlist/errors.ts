import { AppError } from "../errors";

export const PlaylistErrors = {
  notFound: (id: string) => new AppError("playlist_not_found", 404, `No playlist with id ${id}.`),
  notOwner: () =>
    new AppError("not_playlist_owner", 403, "Only the playlist's owner can change it."),
  trackAlreadyIn: () =>
    new AppError("track_already_in_playlist", 409, "That track is already in this playlist."),
  trackNotIn: (trackId: string) =>
    new AppError("track_not_in_playlist", 404, `Track ${trackId} is not in this playlist.`),
  badOrder: () =>
    new AppError(
      "invalid_track_order",
      422,
      "The new order must list every track of the playlist exactly once.",
    ),
  tooLong: (max: number) =>
    new AppError("playlist_full", 422, `A playlist holds at most ${max} tracks.`),
};
