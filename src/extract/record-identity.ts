import { hash } from "node:crypto";
import { JsonbReader } from "./jsonb-text.ts";
import type { LandingSettings } from "./landing-settings.ts";
import { TIME_TEXT_RE } from "./record-key.ts";

/** What landing needs to know of a record before it is stored. */
export interface Identity {
  /** md5 of the record's jsonb text (32 hex digits): raw.api_attempts.record_hash. */
  hash: string;
  /** The attempt key keyHashSql computes (32 hex digits, a uuid's text), or null. */
  key: string | null;
  /** extract.record_time as `->>` gives it: a string decoded; undefined when absent or null. */
  time: string | undefined;
}

const COMMA = 44;

/**
 * Identifies records exactly as the database would from the stored jsonb: the hash raw.api_attempts
 * has always had (md5(record::text)) and keyHashSql's attempt key, computed from the record's bytes
 * while it streams past (jsonb-text.ts), so nothing of it needs computing in the database.
 */
export class RecordIdentifier {
  private readonly reader: JsonbReader;
  private readonly keyFields: number;
  private readonly timeInKey: boolean;
  private keyText = Buffer.allocUnsafe(1024);

  constructor(settings: LandingSettings) {
    // The reader keeps the key fields, then the time field, of each top-level object.
    this.reader = new JsonbReader([...settings.keyFields, settings.timeField]);
    this.keyFields = settings.keyFields.length;
    this.timeInKey = settings.keyFields.includes(settings.timeField);
  }

  /** The record's identity; null when it is not JSON (PostgreSQL refuses it too). */
  identify(record: Buffer): Identity | null {
    if (!this.reader.read(record)) return null;
    const time = this.time();
    return { hash: hash("md5", this.reader.text(), "hex"), key: this.key(time), time };
  }

  /** The time field as `->>` gives it. */
  private time(): string | undefined {
    if (!this.reader.hasValue(this.keyFields)) return undefined;
    const text = this.reader.member(this.keyFields) as string;
    if (text.charCodeAt(0) !== 34 /* " */) return text;
    return text.includes("\\") ? (JSON.parse(text) as string) : text.slice(1, -1);
  }

  private key(time: string | undefined): string | null {
    if (this.timeInKey && (time === undefined || !TIME_TEXT_RE.test(time))) return null;
    let size = 0;
    for (let f = 0; f < this.keyFields; f++) {
      if (!this.reader.hasValue(f)) return null;
      size += this.reader.memberLength(f) + 1;
    }
    if (size > this.keyText.length) this.keyText = Buffer.allocUnsafe(2 * size);
    // The key fields' jsonb texts, comma-separated, as keyHashSql joins them.
    let length = 0;
    for (let f = 0; f < this.keyFields; f++) {
      if (f > 0) this.keyText[length++] = COMMA;
      length += this.reader.copyMember(f, this.keyText, length);
    }
    return hash("md5", this.keyText.subarray(0, length), "hex");
  }
}
