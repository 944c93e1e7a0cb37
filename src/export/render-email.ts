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

/**
 * How HTML shows a `command` or identifier from the messages: monospace on a light ground, kept on
 * one line when it fits one (an inline block moves whole to the next line rather than breaking at
 * its hyphens), and wrapped only when it is wider than the screen.
 */
const CODE_STYLE =
  "font-family:Consolas,Menlo,monospace;font-size:12px;background-color:#f3f4f6;padding:0 2px;display:inline-block;max-width:100%;";

/**
 * `{{rich text}}`: a message's `` `code` `` spans as <code> in HTML (the rest escaped); in the text
 * part the backticks are dropped, leaving the command as it is typed.
 */
export function richText(text: unknown, html: boolean): string {
  const s = text === undefined || text === null ? "" : String(text);
  if (!html) return s.replace(/`([^`]*)`/g, "$1");
  // Split before escaping: Handlebars escapes the backtick too.
  return s
    .split(/`([^`]*)`/)
    .map((part, i) => {
      const safe = Handlebars.escapeExpression(part);
      return i % 2 === 1 ? `<code style="${CODE_STYLE}">${safe}</code>` : safe;
    })
    .join("");
}

function render(file: string, view: EmailView, html: boolean): string {
  const hbs = Handlebars.create();
  hbs.registerHelper("rich", (text: unknown) => {
    const out = richText(text, html);
    return html ? new hbs.SafeString(out) : out;
  });
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
 * cut at the width, as a JSON row or URL has no spaces), each piece keeping the line's indent; a
 * bulleted line (`- `, `* `, `! `) continues under its text, not under its bullet.
 */
export function wrapText(text: string, width = TEXT_WIDTH): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line.length <= width) {
      out.push(line);
      continue;
    }
    const indent = /^\s*/.exec(line)?.[0] ?? "";
    const bullet = /^[-*!] /.test(line.slice(indent.length)) ? "  " : "";
    // An indent that leaves no room is dropped rather than looping.
    const pad = indent.length < width / 2 ? indent : "";
    let rest = line.slice(indent.length);
    let first = true;
    while (rest.length > 0) {
      const lead = first ? pad : pad + bullet;
      first = false;
      const room = width - lead.length;
      if (rest.length <= room) {
        out.push(lead + rest);
        break;
      }
      const space = rest.lastIndexOf(" ", room);
      const cut = space > 0 ? space : room;
      out.push((lead + rest.slice(0, cut)).trimEnd());
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
      .replace(/[ \t]+$/gm, "")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
      .concat("\n"),
  };
}
