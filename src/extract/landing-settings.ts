export interface LandingSettings {
  /** extract.record_key: the record fields that identify one attempt. */
  keyFields: readonly string[];
  /** extract.record_time: the field the API's start and end bound. */
  timeField: string;
}
