import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../errors.ts";
import { formatDay, formatDecimal, formatInteger, type Locale } from "./locale.ts";
import { DEFAULT_TEMPLATES_DIR } from "./render-email.ts";

/** A value a message names: numbers and moments are written the locale's way, text as it is. */
export type MessageValues = Readonly<Record<string, string | number | Date>>;

/**
 * The readers' words in one locale: `templates/messages/<locale>.yml`, a project file. In an entry,
 * `{name}` is a value (numbers and moments written the locale's way),
 * `{name|one|few|many}` the word form its number takes (ru: one, few, many; en: one, other), and
 * `` `text` `` a command or identifier (code in the HTML, plain in the text part).
 */
export interface Messages {
  readonly locale: Locale;
  /** An entry (a dotted key reaches into a group) with its values filled; the key when no file has it. */
  text(key: string, values?: MessageValues): string;
  /** An entry of a group (counts, stages, reasons, status), or undefined. */
  entry(group: string, key: string): string | undefined;
  /** Whether an entry exists. */
  has(key: string): boolean;
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

const TAG: Record<Locale, string> = { ru: "ru-RU", en: "en-GB" };
/** The plural categories a form list names, in the order entries write them. */
const ORDER = ["one", "few", "many", "other"] as const;

function formOf(n: number, forms: string[], locale: Locale): string {
  const rules = new Intl.PluralRules(TAG[locale]);
  const used = ORDER.filter((c) => rules.resolvedOptions().pluralCategories.includes(c));
  const i = used.indexOf(rules.select(n) as (typeof ORDER)[number]);
  // A list shorter than the locale's categories falls back to its last form.
  return forms[Math.min(i === -1 ? forms.length - 1 : i, forms.length - 1)] ?? "";
}

/** A number is written with the locale's digits, a Date as its UTC day and time (02.12.2026 03:15). */
function show(value: string | number | Date, locale: Locale): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) {
    const iso = value.toISOString();
    return `${formatDay(iso.slice(0, 10), locale)} ${iso.slice(11, 16)}`;
  }
  return Number.isInteger(value) ? formatInteger(value, locale) : formatDecimal(value, locale, 1);
}

/** `{name}` and `{name|form|form…}` filled from `values`; unknown names stay as written. */
export function fillMessage(text: string, values: MessageValues, locale: Locale): string {
  return text.replace(/\{(\w+)((?:\|[^|{}]*)*)\}/g, (whole, name: string, forms: string) => {
    if (!(name in values)) return whole;
    const value = values[name] as string | number | Date;
    if (!forms) return show(value, locale);
    const n = typeof value === "number" ? value : Number(value);
    return formOf(Number.isNaN(n) ? 0 : n, forms.slice(1).split("|"), locale);
  });
}

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
  const leaf = (path: string[]) => {
    const s = lookup(path);
    return typeof s === "string" || typeof s === "number" ? String(s) : undefined;
  };
  return {
    locale,
    text(key, values = {}) {
      return fillMessage(leaf(key.split(".")) ?? key, values, locale);
    },
    entry(group, key) {
      return leaf([group, key]);
    },
    has(key) {
      return leaf(key.split(".")) !== undefined;
    },
  };
}
