import { notice } from "../../pipeline/notice.ts";
import { sendReportEmail } from "../send-email.ts";
import type { Exporter } from "./exporter.ts";

/** The report email (or the failure email): the days' figures, a chart, the run's counts and reasons. */
export const emailExporter: Exporter = {
  key: "email",
  stage: "email",
  when: "always",
  description: "The report email: the days' summary, a chart, the run's counts and top reasons",
  target: (config) =>
    config.exports.email.to.length > 0 ? `${config.exports.email.to.length} recipient(s)` : "no recipients",
  configured: (config) => Boolean(config.exports.email.smtp_url || config.exports.email.eml_path),
  reportSql: (config) =>
    [config.exports.report.top_reasons, config.exports.report.reason_days].filter(
      (f): f is string => f !== undefined,
    ),
  async run(ctx, { report }) {
    const r = await sendReportEmail(ctx, report);
    return {
      status: r.status === "skipped" ? "skipped" : "written",
      detail:
        r.status === "skipped"
          ? notice("not_configured", "not configured")
          : r.file
            ? notice("email_written", `written to ${r.file}`, { file: r.file })
            : notice("email_sent", "sent"),
    };
  },
};
