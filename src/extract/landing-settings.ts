export interface LandingSettings {
  /** extract.record_key: the record fields that identify one attempt. */
  keyFields: readonly string[];
  /** extract.record_time: the field the API's start and end bound. */
  timeField: string;
  /** The most bytes of records to COPY at a time (answer-chunks.ts; default 2 MB). */
  chunkBytes?: number;
}
