/** A signed form's key was already written: each form stores one object, once. */
export class UploadTargetUsedError extends Error {
  constructor(readonly key: string) {
    super(`The upload form for ${key} was already used.`);
    this.name = "UploadTargetUsedError";
  }
}
