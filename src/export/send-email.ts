import { mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import nodemailer from "nodemailer";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import { deliverExport } from "./deliver-export.ts";
import { emailView } from "./email-view.ts";
import type { ExportContext } from "./export-context.ts";
import { recordExport } from "./export-ledger.ts";
import { logTail } from "./log-tail.ts";
import { loadMessages } from "./messages.ts";
import { renderEmail } from "./render-email.ts";
import { collectReportData, type RunReport } from "./run-report.ts";
import { summaryCsv } from "./summary-csv.ts";

export interface EmailResult {
  status: "sent" | "skipped";
  messageId?: string;
  /** The .eml file written (exports.email.eml_path). */
  file?: string;
}

/** Lines of today's log quoted in a failure email. */
export const LOG_TAIL_LINES = 30;

/** `smtp://host:port` without the credentials, for log lines and the ledger. */
function smtpHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return maskSecrets(url);
  }
}

/**
 * Sends the run report (or, when report.status is "failed", the failure email: what failed, the
 * error and the last lines of today's log, all masked) to every recipient through
 * exports.email.smtp_url. With exports.email.eml_path the message is also written there as an
 * .eml file, which is the whole export when no SMTP server is configured. Neither: skipped.
 */
export async function sendReportEmail(ctx: ExportContext, report: RunReport): Promise<EmailResult> {
  const { db, config } = ctx;
  const email = config.exports.email;
  const day = report.days.at(-1);
  const emlPath = email.eml_path ? ctx.path(email.eml_path) : undefined;
  if (!email.smtp_url && !emlPath) {
    log.warn("email skipped: not configured (exports.email.smtp_url)");
    await recordExport(db, {
      kind: "email",
      day,
      runId: report.runId,
      status: "skipped",
      attempts: 0,
      ms: 0,
    });
    return { status: "skipped" };
  }

  const data = await collectReportData(ctx, report);
  const failed = report.status === "failed";
  const tail = failed ? logTail(ctx.path(config.logs.dir), LOG_TAIL_LINES) : [];
  const templatesDir = ctx.path(email.templates_dir);
  const view = emailView(config, report, data, tail, loadMessages(templatesDir, config.locale));
  const { html, text } = renderEmail(templatesDir, failed ? "failure" : "report", view);
  // A window longer than the email's table: its whole daily summary (up to the report day) attached.
  const dateColumn = data.columns[0]?.name ?? "";
  const attached = data.summary.filter((r) => data.day && String(r[dateColumn]).slice(0, 10) <= data.day);
  const message = {
    from: email.from ?? `elt <elt@${hostname()}>`,
    to: email.to,
    subject: view.subject,
    text,
    html,
    attachments:
      view.attachment && !failed
        ? [
            {
              filename: view.attachment,
              content: summaryCsv(data.columns, attached, config.locale),
              contentType: "text/csv; charset=utf-8",
            },
          ]
        : [],
  };
  const target = [email.smtp_url ? smtpHost(email.smtp_url) : undefined, emlPath].filter(Boolean).join(", ");

  const result: EmailResult = { status: "sent" };
  return deliverExport(
    {
      db,
      kind: "email",
      label: "email",
      target,
      day,
      runId: report.runId,
      retries: config.exports.retries,
      delayMs: config.exports.retry_delay_seconds * 1000,
    },
    async () => {
      // The file is written once; a retry is for the SMTP server.
      if (emlPath && !result.file) {
        const stream = nodemailer.createTransport({
          streamTransport: true,
          buffer: true,
          newline: "windows",
        });
        const info = await stream.sendMail(message);
        mkdirSync(dirname(emlPath), { recursive: true });
        writeFileSync(emlPath, info.message as Buffer);
        result.file = emlPath;
        result.messageId = info.messageId;
        log.info(`email written to ${emlPath}`);
      }
      if (email.smtp_url) {
        log.info(`connecting to SMTP server ${smtpHost(email.smtp_url)}`);
        const transport = nodemailer.createTransport({
          url: email.smtp_url,
          connectionTimeout: 30_000,
          greetingTimeout: 30_000,
          socketTimeout: 60_000,
        });
        try {
          const info = await transport.sendMail(message);
          result.messageId = info.messageId;
          log.info(`email sent to ${email.to.join(", ")}`);
        } finally {
          transport.close();
        }
      }
      return result;
    },
  );
}
