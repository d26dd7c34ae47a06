import { AppError } from "../errors";

export const ArtistErrors = {
  alreadyArtist: () =>
    new AppError("already_artist", 409, "This account already has an artist profile."),
  nameTaken: (name: string) =>
    new AppError("artist_name_taken", 409, `An artist named "${name}" already exists.`),
  artistRequired: () =>
    new AppError(
      "artist_role_required",
      403,
      "Only artists and admins can do this: create your artist profile first.",
    ),
  notOwner: () => new AppError("not_owner", 403, "You can only change your own artist's catalog."),
  artistIdRequired: () =>
    new AppError("artist_id_required", 422, "Say which artist this belongs to (artistId)."),
};
