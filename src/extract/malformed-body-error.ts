/** The body is not a complete JSON array: cut off, an HTML page, an object, trailing garbage. */
export class MalformedBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedBodyError";
  }
}
