import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../errors.ts";
import type { Locale } from "./locale.ts";
import { DEFAULT_TEMPLATES_DIR } from "./render-email.ts";

/** The email's words in one locale: `templates/messages/<locale>.yml`, a project file. */
export interface Messages {
  /** A text entry with its {placeholders} filled; the key itself when no file has it. */
  text(key: string, values?: Record<string, string | number>): string;
  /** An entry of a group (counts, stages, reasons, status), or undefined. */
  entry(group: string, key: string): string | undefined;
}

type Tree = Record<string, unknown>;

function readTree(file: string): Tree {
  let tree: unknown;
  try {
    tree = parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`email messages ${file}: ${(error as Error).message}`, { code: "CONFIG_TEMPLATE" });
  }
  if (tree === null || tree === undefined) return {};
  if (typeof tree !== "object" || Array.isArray(tree)) {
    throw new ConfigError(`email messages ${file}: not a mapping of texts`, { code: "CONFIG_TEMPLATE" });
  }
  return tree as Tree;
}

const fill = (s: string, values: Record<string, string | number>) =>
  s.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));

/**
 * The project's `<templatesDir>/messages/<locale>.yml` over the tool's: a project may copy the file
 * and change any entry, the rest come from the tool's default.
 */
export function loadMessages(templatesDir: string, locale: Locale): Messages {
  const base = readTree(join(DEFAULT_TEMPLATES_DIR, "messages", `${locale}.yml`));
  const ownFile = join(templatesDir, "messages", `${locale}.yml`);
  const own =
    ownFile !== join(DEFAULT_TEMPLATES_DIR, "messages", `${locale}.yml`) && existsSync(ownFile)
      ? readTree(ownFile)
      : {};
  const lookup = (path: string[]): unknown => {
    for (const tree of [own, base]) {
      let node: unknown = tree;
      for (const p of path) node = node && typeof node === "object" ? (node as Tree)[p] : undefined;
      if (node !== undefined && node !== null) return node;
    }
    return undefined;
  };
  return {
    text(key, values = {}) {
      const s = lookup([key]);
      return fill(typeof s === "string" ? s : key, values);
    },
    entry(group, key) {
      const s = lookup([group, key]);
      return typeof s === "string" || typeof s === "number" ? String(s) : undefined;
    },
  };
}
