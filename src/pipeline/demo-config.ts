import type { ProjectConfig } from "../config/project-schema.ts";

/** Where the demo keeps everything it writes, relative to the project folder. */
export const DEMO_PATHS = {
  database: ".elt/demo/pgdata",
  sheet: "target/demo/summary.csv",
  email: "target/demo/report.eml",
} as const;

const DEMO_DAYS = 3;

/** The API address of a demo command that fetches nothing (nothing listens on port 9, "discard"). */
export const DEMO_NO_API = "http://127.0.0.1:9/api/statistics";

/** The demo's configuration: embedded database, the bundled simulator, exports written to files. */
export function demoConfig(config: ProjectConfig, apiUrl: string, now = new Date()): ProjectConfig {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - DEMO_DAYS));
  return {
    ...config,
    database: { ...config.database, url: undefined, embedded_dir: DEMO_PATHS.database },
    api: { ...config.api, url: apiUrl, client: "demo", client_key: "demo-key" },
    extract: { ...config.extract, start: start.toISOString() },
    exports: {
      ...config.exports,
      sheets: { ...config.exports.sheets, spreadsheet_id: undefined, preview_path: DEMO_PATHS.sheet },
      email: {
        ...config.exports.email,
        smtp_url: undefined,
        from: "elt demo <elt@localhost>",
        to: ["data-team@localhost"],
        eml_path: DEMO_PATHS.email,
      },
    },
  };
}
