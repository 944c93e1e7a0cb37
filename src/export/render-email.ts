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

/** The plain-text part's line limit (RFC 5322 recommends 78 characters). */
export const TEXT_WIDTH = 78;

/**
 * Every line within `width` characters: a longer line breaks at its last space that fits (else it is
 * cut at the width, as a JSON row or URL has no spaces), each piece keeping the line's indent.
 */
export function wrapText(text: string, width = TEXT_WIDTH): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line.length <= width) {
      out.push(line);
      continue;
    }
    const indent = /^\s*/.exec(line)?.[0] ?? "";
    // An indent that leaves no room is dropped rather than looping.
    const pad = indent.length < width / 2 ? indent : "";
    let rest = line.slice(indent.length);
    while (rest.length > 0) {
      const room = width - pad.length;
      if (rest.length <= room) {
        out.push(pad + rest);
        break;
      }
      const space = rest.lastIndexOf(" ", room);
      const cut = space > 0 ? space : room;
      out.push((pad + rest.slice(0, cut)).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
  }
  return out.join("\n");
}

/** Both bodies of an email from `<kind>.html.hbs` and `<kind>.txt.hbs`. */
export function renderEmail(
  templatesDir: string,
  kind: EmailKind,
  view: EmailView,
): { html: string; text: string } {
  return {
    html: render(templatePath(templatesDir, `${kind}.html.hbs`), view, true),
    text: wrapText(render(templatePath(templatesDir, `${kind}.txt.hbs`), view, false))
      .replace(/\n{3,}/g, "\n\n")
      .trim()
      .concat("\n"),
  };
}
