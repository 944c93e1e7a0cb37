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
      "PostgreSQL URL, e.g. `postgres://elt:secret@db.example.org:5432/grade` (its password is masked in logs). Absent or empty: the project's embedded PostgreSQL 17, started on demand with its data in `embedded_dir`",
    ),
    embedded_dir: z
      .string()
      .default(".elt/pgdata")
      .describe(
        "Data folder of the embedded PostgreSQL (used when `url` is empty), relative to project.yml; created by initdb the first time. The demo uses `.elt/demo/pgdata`",
      ),
    lock_timeout_seconds: nonNegativeInt
      .default(600)
      .describe(
        "How long a command waits for another `elt` holding the project lock (a run, a build, a migration) before it gives up with exit 1; 0 = do not wait",
      ),
    statement_timeout_seconds: nonNegativeInt
      .default(0)
      .describe("PostgreSQL `statement_timeout` for every connection elt opens; 0 = no limit"),
  })
  .describe("Where the data lives: the PostgreSQL server, or the embedded one")
  .prefault({});

const apiSchema = z
  .strictObject({
    url: z
      .url()
      .default("https://b2b.itresume.ru/api/statistics")
      .describe(
        "The statistics endpoint (docs/api.md); `elt dev api` prints a local simulator's URL to put here",
      ),
    client: optionalText.describe("The `client` query parameter: your account name at the vendor"),
    client_key: optionalText.describe(
      "The `client_key` query parameter. Secret: masked in every log line, email and error message",
    ),
    timeout_seconds: positiveInt
      .default(300)
      .describe(
        "How long to wait for the response to start (its headers); one day has taken up to 51 s. Then the attempt is retried",
      ),
    idle_timeout_seconds: positiveInt
      .default(60)
      .describe(
        "Longest pause allowed between two pieces of the body once it has started; then the attempt is retried",
      ),
    deadline_seconds: positiveInt
      .default(900)
      .describe("Longest one window attempt may take, headers and body together; then it is retried"),
    retries: nonNegativeInt
      .default(5)
      .describe(
        "Retries of a window after a transient failure (network error, timeout, HTTP 408, 429 or 5xx); each attempt downloads and lands the window again. Other 4xx (wrong credentials) are not retried",
      ),
    retry_max_delay_seconds: positiveInt
      .default(60)
      .describe("Caps the pause between retries, backoff and the server's Retry-After alike"),
    retry_base_delay_ms: nonNegativeInt
      .default(1000)
      .describe("The first retry's backoff; it doubles per retry, with jitter (half to all of it)"),
  })
  .describe("The vendor's statistics API (docs/api.md): where it is, the credentials, timeouts and retries")
  .prefault({});

const plausibilitySchema = z
  .strictObject({
    min_volume_ratio: z
      .preprocess(fromText, z.number().min(0).max(1))
      .default(0.6)
      .describe(
        "A window of `judge_hours` or more holding fewer records than this share of the usual volume for its length is suspect",
      ),
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
      .describe(
        "Suspect answers for one window before later runs give up on it and fail with EXTRACT_INCOMPLETE",
      ),
  })
  .describe(
    "When an HTTP 200 looks incomplete (ADR 0008): its records land, but the load is `suspect` and later runs fetch the window again",
  )
  .prefault({});

const extractSchema = z
  .strictObject({
    window_hours: positiveInt
      .default(24)
      .describe(
        "Every extract is split into windows of at most this many hours, one API request and one landing transaction each",
      ),
    overlap_minutes: nonNegativeInt
      .default(120)
      .describe(
        "Incremental runs start this long before the watermark (the end of the last landed window), to catch records the API indexed late",
      ),
    start: optionalText.describe(
      "Where the first incremental run starts when nothing is landed yet, UTC, e.g. `2026-01-01` or `2026-01-01 06:00`. Unset: after the newest landed backfill, else yesterday 00:00 UTC",
    ),
    record_key: z
      .array(z.string().min(1))
      .min(1)
      .default(["lti_user_id", "created_at"])
      .describe(
        "The record fields that identify one attempt: another version of a landed key is a conflict (kept in raw.api_conflicts). Changing it needs key_hash recomputed for landed rows",
      ),
    record_time: z
      .string()
      .min(1)
      .default("created_at")
      .describe(
        "The record field the API's `start` and `end` bound: records outside their window are counted (and still landed)",
      ),
    plausibility: plausibilitySchema,
  })
  .describe("How the API's history is cut into windows and landed raw, and when an answer is doubted")
  .prefault({});

const logsSchema = z
  .strictObject({
    dir: z
      .string()
      .default("logs")
      .describe(
        "Folder of the dated log files (`YYYY-MM-DD.log`, local date), relative to project.yml. A folder elt cannot write is an error at start (exit 2)",
      ),
    level: z
      .enum(["silent", "error", "warn", "info", "debug", "trace"])
      .default("info")
      .describe("Lowest level written to the console and the log file; `--log-level` overrides it"),
    retention_days: positiveInt
      .default(3)
      .describe(
        "Dated log files kept, today included: 3 keeps today's and the two days before; older ones are deleted at start",
      ),
  })
  .describe("Where each command logs, and for how long")
  .prefault({});

const modelsSchema = z
  .strictObject({
    paths: z
      .array(z.string())
      .default(["models"])
      .describe("Folders holding the models (`*.sql`) and their yml (sources, config, tests)"),
    macro_paths: z
      .array(z.string())
      .default(["macros"])
      .describe("Folders of partials (`<name>.hbs`) and helper modules (`<file>.cjs`)"),
    test_paths: z
      .array(z.string())
      .default(["tests"])
      .describe("Folders of singular data tests (`<name>.sql`, a SELECT of the failing rows)"),
    target_path: z
      .string()
      .default("target")
      .describe("Where `elt model compile` writes compiled SQL and `elt docs generate` the docs site"),
  })
  .describe(
    "Where the SQL project lives: models, macros, singular tests, and what elt writes (docs/models-guide.md)",
  )
  .prefault({});

const sheetsSchema = z
  .strictObject({
    credentials: optionalText.describe(
      "A Google service-account JSON key: its path, or the JSON itself (starting with `{`); required with `spreadsheet_id`. Its private key is masked",
    ),
    spreadsheet_id: optionalText.describe(
      "The spreadsheet to upsert the exported model (`exports.summary`) into (the id in its URL). Unset, and no `preview_path`: the export is skipped with a warning",
    ),
    root_url: optionalText.describe("Sheets API root override, for emulators and tests"),
    worksheet: optionalText.describe(
      "The worksheet (tab) written; created when the spreadsheet has none of that title. Unset: the exported model's name",
    ),
    locale: z
      .enum(["ru", "en"])
      .optional()
      .describe(
        "Deprecated: set the top-level `locale`, which the sheet follows. When set, it overrides it for the sheet and the CSV preview only (headers and the note in cell A1), with a warning",
      ),
    columns: z
      .array(z.string())
      .optional()
      .describe(
        "The exported model's columns to export, in order, e.g. `[attempts, success_rate]`; its date column always comes first. Unset: every column of the model",
      ),
    preview_path: optionalText.describe(
      "Also upsert the same rows into a CSV file here (the demo's `target/demo/summary.csv`)",
    ),
  })
  .describe("The Google Sheets export: one row per day, upserted by date")
  .superRefine((sheets, ctx) => {
    if (sheets.spreadsheet_id && !sheets.credentials) {
      ctx.addIssue({ code: "custom", path: ["credentials"], message: "Required" });
    }
  })
  .prefault({});

const emailSchema = z
  .strictObject({
    smtp_url: optionalText.describe(
      "`smtp://` or `smtps://user:pass@host:port` (password masked). Unset, and no `eml_path`: no email is sent",
    ),
    from: optionalText.describe(
      "The sender, e.g. `robot@mail.ru` or `elt <robot@mail.ru>`; required with `smtp_url`",
    ),
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
      .default([])
      .describe(
        "Recipients: a list, or one comma-separated text (`a@x.ru,b@y.ru`, as `${ELT_EMAIL_TO}` gives it); required with `smtp_url`",
      ),
    subject_prefix: z
      .string()
      .default("[elt]")
      .describe("Starts every subject, followed by the run's status and the day"),
    templates_dir: z
      .string()
      .default("templates")
      .describe(
        "Handlebars templates of the messages: `report.html.hbs`/`report.txt.hbs`, `failure.html.hbs`/`failure.txt.hbs`",
      ),
    eml_path: optionalText.describe(
      "Also write each message as an .eml file here (the demo's `target/demo/report.eml`)",
    ),
  })
  .describe("The email report after each run, and the failure email when a run fails")
  .superRefine((email, ctx) => {
    // An SMTP server without recipients or sender is a half-configured exporter: say which key.
    if (!email.smtp_url) return;
    if (email.to.length === 0) ctx.addIssue({ code: "custom", path: ["to"], message: "Required" });
    if (!email.from) ctx.addIssue({ code: "custom", path: ["from"], message: "Required" });
  })
  .prefault({});

const summarySchema = z
  .strictObject({
    model: optionalText.describe(
      "The model whose relation the exporters read, one row per day (the shipped project names its daily summary). Its yml's `columns:` give each exported column's `label` and `format`. Unset: nothing is exported",
    ),
    date_column: z
      .string()
      .min(1)
      .default("day")
      .describe("The model's date column: rows are exported, upserted and sorted by it, and it comes first"),
  })
  .describe("The relation the exporters read (docs/models-guide.md, labels and formats)")
  .prefault({});

const reportSchema = z
  .strictObject({
    landing_counts: optionalText.describe(
      "A SQL file (refs resolve) counting a run's records: one row of `landed`, `loaded`, `quarantined`, `duplicates` for `:first_seq`..`:last_seq`. Run after a build that built every model it refs; unset or not built: no counts",
    ),
    top_reasons: optionalText.describe(
      "A SQL file (refs resolve) of the email's top reject reasons: rows of `reason`, `count` for `:first_seq`..`:last_seq` (NULL when the run landed nothing) and `:days`. Unset: the email has none",
    ),
    reason_days: optionalText.describe(
      "A SQL file (refs resolve) of the quarantine's reasons per day, for the email's quarantine spikes (a reason far above its usual share of the records): rows of `day`, `reason`, `count`, `total` (all the day's records; a day without quarantined records has one row with a NULL reason) for the days `:from`..`:to`. Unset: no spike warnings",
    ),
  })
  .describe("The run's accounting and the email's reasons, as project SQL (docs/models-guide.md, report SQL)")
  .prefault({});

const exportsSchema = z
  .strictObject({
    summary: summarySchema,
    report: reportSchema,
    sheets: sheetsSchema,
    email: emailSchema,
    retries: nonNegativeInt
      .default(2)
      .describe(
        "Retries of an exporter after a transient failure (network, rate limit, SMTP 4xx), each attempt recorded in elt.exports",
      ),
    retry_delay_seconds: z
      .preprocess(fromText, z.number().nonnegative())
      .default(5)
      .describe("First pause between export attempts; doubled after each failure (at most 60 s)"),
  })
  .describe("Where each run's day summary goes: Google Sheets and an email")
  .prefault({});

export const projectSchema = z.strictObject({
  name: z
    .string()
    .default("elt")
    .describe("The project's name, shown in the email report (the shipped project: `grade`)"),
  locale: z
    .enum(["ru", "en"])
    .default("ru")
    .describe(
      "The readers' language: the email (subject, headings, metric, stage and reason names, the failure email; words from `templates/messages/<locale>.yml`), the sheet's and CSV preview's headers (the exported model's `label: {ru, en}`) and note, and how the email writes numbers and dates (ru: `1 234`, `44,6 %`, `02.12.2026`; en: `1,234`, `44.6%`, `2 Dec 2026`)",
    ),
  database: databaseSchema,
  api: apiSchema,
  extract: extractSchema,
  logs: logsSchema,
  models: modelsSchema,
  vars: z
    .record(z.string(), z.unknown())
    .default({})
    .describe(
      'Values for `{{var "name"}}` in models, e.g. `{since: 2024-01-01}`; `--vars` overrides them for one command',
    ),
  exports: exportsSchema,
});

export type ProjectConfig = z.infer<typeof projectSchema>;
