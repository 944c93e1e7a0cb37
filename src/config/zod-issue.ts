import type { z } from "zod";

/** Where a zod issue points: its path, plus the first unknown key for an unrecognized-keys issue. */
export function issueKey(issue: z.core.$ZodIssue): PropertyKey[] {
  return issue.code === "unrecognized_keys" ? [...issue.path, ...issue.keys.slice(0, 1)] : [...issue.path];
}

/** A zod issue said the way people expect it in a config error. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  // zod 4 says "expected string, received undefined" for a missing key; people expect "Required".
  if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) return "Required";
  if (issue.code === "unrecognized_keys")
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message;
}
