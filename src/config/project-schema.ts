import { z } from "zod";

/**
 * The single source of truth for project.yml. Every object is strict, so a misspelt key is an
 * error naming its path; the published JSON schema (project.schema.json) is generated from this.
 */

// `${VAR:-}` yields "" for an unset optional variable: treat it as absent.
const optionalText = z.preprocess((v) => (v === "" || v === null ? undefined : v), z.string().optional());

// Numbers may arrive as text from ${VAR}; only text is converted (z.coerce would accept [1] too).
const fromText = (v: unknown) =>
  typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v;
const positiveInt = z.preprocess(fromText, z.number().int().positive());
const nonNegativeInt = z.preprocess(fromText, z.number().int().nonnegative());

const databaseSchema = z
  .strictObject({
    url: optionalText.describe(
      "PostgreSQL URL; absent or empty means the embedded PostgreSQL, its data in embedded_dir",
    ),
    embedded_dir: z.string().default(".elt/pgdata").describe("Data folder of the embedded database"),
    lock_timeout_seconds: nonNegativeInt
      .default(600)
      .describe("How long a command waits for another one holding the project lock"),
    statement_timeout_seconds: nonNegativeInt.default(0).describe("0 = no limit"),
  })
  .prefault({});

const apiSchema = z
  .strictObject({
    url: z.url().default("https://b2b.itresume.ru/api/statistics"),
    client: optionalText,
    client_key: optionalText.describe("Secret: masked in every log line and message"),
    timeout_seconds: positiveInt
      .default(300)
      .describe("For the response to start (headers); one day has taken up to 51 s"),
    idle_timeout_seconds: positiveInt
      .default(60)
      .describe("Longest pause allowed between two pieces of the body once it has started"),
    deadline_seconds: positiveInt
      .default(900)
      .describe("Longest one window attempt may take, headers and body together; then it is retried"),
    retries: nonNegativeInt.default(5),
    retry_max_delay_seconds: positiveInt.default(60).describe("Caps the backoff and Retry-After"),
    retry_base_delay_ms: nonNegativeInt
      .default(1000)
      .describe("First retry's backoff; doubles per retry, jittered"),
  })
  .prefault({});

const plausibilitySchema = z
  .strictObject({
    min_volume_ratio: z
      .preprocess(fromText, z.number().min(0).max(1))
      .default(0.6)
      .describe("A long window with fewer records than this share of the usual volume is suspect"),
    judge_hours: positiveInt
      .default(20)
      .describe("Windows at least this long are judged on their volume (shorter ones vary by hour)"),
    history_windows: positiveInt
      .default(14)
      .describe("How many landed windows nearby give the usual volume (their median rate)"),
    min_history_windows: positiveInt
      .default(3)
      .describe("Fewer landed windows nearby than this: the volume is not judged"),
    max_non_object_share: z
      .preprocess(fromText, z.number().min(0).max(1))
      .default(0.01)
      .describe("An answer with a larger share of non-object elements is suspect"),
    max_fetches: positiveInt
      .default(3)
      .describe("Suspect answers for one window before later runs give up on it and fail loudly"),
  })
  .prefault({});

const extractSchema = z
  .strictObject({
    window_hours: positiveInt.default(24).describe("Backfills are split into windows of this size"),
    overlap_minutes: nonNegativeInt
      .default(120)
      .describe("Incremental runs start this long before the watermark, to catch late records"),
    start: optionalText.describe(
      "Where the first incremental run starts when nothing is landed yet (UTC; default: yesterday 00:00)",
    ),
    record_key: z
      .array(z.string().min(1))
      .min(1)
      .default(["lti_user_id", "created_at"])
      .describe("The record fields that identify one attempt: a new version of a key is a conflict"),
    record_time: z
      .string()
      .min(1)
      .default("created_at")
      .describe("The record field the API's start and end bound (for records outside the window)"),
    plausibility: plausibilitySchema,
  })
  .prefault({});

const logsSchema = z
  .strictObject({
    dir: z.string().default("logs"),
    level: z.enum(["silent", "error", "warn", "info", "debug", "trace"]).default("info"),
    retention_days: positiveInt.default(3).describe("Today and the days before: 3 keeps 3 dated files"),
  })
  .prefault({});

const modelsSchema = z
  .strictObject({
    paths: z.array(z.string()).default(["models"]),
    macro_paths: z.array(z.string()).default(["macros"]),
    test_paths: z.array(z.string()).default(["tests"]),
    target_path: z.string().default("target"),
  })
  .prefault({});

const sheetsSchema = z
  .strictObject({
    credentials: optionalText.describe(
      "Path to a service-account JSON key, or the key's JSON itself (starting with {)",
    ),
    spreadsheet_id: optionalText,
    root_url: optionalText.describe("API root override, for emulators and tests"),
    worksheet: z.string().default("daily_summary"),
    locale: z.enum(["ru", "en"]).default("ru"),
    columns: z.array(z.string()).optional().describe("daily_summary columns to export, in order"),
    preview_path: optionalText.describe("Also write the sheet as a CSV here (the demo's preview)"),
  })
  .superRefine((sheets, ctx) => {
    if (sheets.spreadsheet_id && !sheets.credentials) {
      ctx.addIssue({ code: "custom", path: ["credentials"], message: "Required" });
    }
  })
  .prefault({});

const emailSchema = z
  .strictObject({
    smtp_url: optionalText.describe("smtp:// or smtps://user:pass@host:port; secret"),
    from: optionalText,
    to: z
      .preprocess(
        (v) =>
          typeof v === "string"
            ? v
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean)
            : v,
        z.array(z.string()),
      )
      .default([]),
    subject_prefix: z.string().default("[elt]"),
    templates_dir: z.string().default("templates"),
    eml_path: optionalText.describe("Also write each message as an .eml file here (the demo)"),
  })
  .superRefine((email, ctx) => {
    // An SMTP server without recipients or sender is a half-configured exporter: say which key.
    if (!email.smtp_url) return;
    if (email.to.length === 0) ctx.addIssue({ code: "custom", path: ["to"], message: "Required" });
    if (!email.from) ctx.addIssue({ code: "custom", path: ["from"], message: "Required" });
  })
  .prefault({});

const exportsSchema = z
  .strictObject({
    sheets: sheetsSchema,
    email: emailSchema,
    retries: nonNegativeInt
      .default(2)
      .describe("Retries of a failing exporter, each recorded in elt.exports"),
    retry_delay_seconds: z
      .preprocess(fromText, z.number().nonnegative())
      .default(5)
      .describe("First delay between export attempts; doubled after each failure (at most 60 s)"),
  })
  .prefault({});

export const projectSchema = z.strictObject({
  name: z.string().default("elt"),
  database: databaseSchema,
  api: apiSchema,
  extract: extractSchema,
  logs: logsSchema,
  models: modelsSchema,
  vars: z.record(z.string(), z.unknown()).default({}).describe('Values for {{var "name"}} in models'),
  exports: exportsSchema,
});

export type ProjectConfig = z.infer<typeof projectSchema>;
