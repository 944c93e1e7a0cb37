import { createHash } from "node:crypto";

/** A stable signed 64-bit advisory-lock key for a name, computed here so every engine agrees. */
export function advisoryKey(name: string): string {
  return createHash("sha256").update(`elt:${name}`).digest().readBigInt64BE(0).toString();
}
