import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { ConfigError } from "../errors.ts";
import { PACKAGE_ROOT } from "../package-root.ts";
import type { EmailView } from "./email-view.ts";

export type EmailKind = "report" | "failure";

export const DEFAULT_TEMPLATES_DIR = join(PACKAGE_ROOT, "templates");

/** The project's copy of a template when it has one, else the tool's default. */
export function templatePath(templatesDir: string, name: string): string {
  const own = join(templatesDir, name);
  return existsSync(own) ? own : join(DEFAULT_TEMPLATES_DIR, name);
}

function render(file: string, view: EmailView, html: boolean): string {
  const hbs = Handlebars.create();
  try {
    // Plain text must not get HTML entities; HTML escapes every value (errors hold < and &).
    return hbs.compile(readFileSync(file, "utf8"), { noEscape: !html })(view);
  } catch (error) {
    throw new ConfigError(`email template ${file}: ${(error as Error).message}`, { code: "CONFIG_TEMPLATE" });
  }
}

/** Both bodies of an email from `<kind>.html.hbs` and `<kind>.txt.hbs`. */
export function renderEmail(
  templatesDir: string,
  kind: EmailKind,
  view: EmailView,
): { html: string; text: string } {
  return {
    html: render(templatePath(templatesDir, `${kind}.html.hbs`), view, true),
    text: render(templatePath(templatesDir, `${kind}.txt.hbs`), view, false)
      .replace(/\n{3,}/g, "\n\n")
      .trim()
      .concat("\n"),
  };
}
