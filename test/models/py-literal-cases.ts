/**
 * Generated Python literal texts for the property test of elt.py_literal_to_jsonb: valid literals in
 * many spellings (quotes, escapes, prefixes, whitespace, comments, signs, number forms) and mutations
 * of them (truncations, stray characters), from a seeded generator so failures reproduce.
 */

export type Rng = () => number;

/** mulberry32: small, seedable, good enough for test data. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;

// Characters strings are made of: plain, quotes, backslash, whitespace, controls, non-ASCII, astral.
const CHARS = [
  ..."abcxyzABC0189 _-+:/.,{}[]()#@%=&?",
  "'",
  '"',
  "\\",
  "\n",
  "\t",
  "\r",
  "\x01",
  "\x7f",
  "é",
  "ß",
  "ё",
  "Ж",
  "中",
  "\u2028",
  "\u00a0",
  "😀",
  "𝄞",
];

function randomText(rng: Rng): string {
  const n = pick(rng, [0, 1, 2, 3, 5, 8, 12, 30]);
  let s = "";
  for (let i = 0; i < n; i++)
    s += chance(rng, 0.6) ? pick(rng, [..."abcdefghij0123456789"]) : pick(rng, CHARS);
  return s;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** One character inside a string literal delimited by `quote` (a non-raw, single-line literal). */
function escapeChar(rng: Rng, ch: string, quote: string, triple: boolean): string {
  const code = ch.codePointAt(0) as number;
  if (ch === "\\") return "\\\\";
  if (ch === quote) return `\\${ch}`;
  if (ch === "\n") return triple && chance(rng, 0.5) ? "\n" : pick(rng, ["\\n", "\\x0a", "\\012", "\\u000a"]);
  if (ch === "\r") return pick(rng, ["\\r", "\\x0d", "\\15"]);
  if (ch === "\t") return pick(rng, ["\\t", "\t", "\\x09", "\\11"]);
  if (code < 0x20 || code === 0x7f)
    return pick(rng, [`\\x${hex(code, 2)}`, `\\u${hex(code, 4)}`, `\\${code.toString(8)}`]);
  if (ch === "'" || ch === '"') return chance(rng, 0.3) ? `\\${ch}` : ch;
  if (chance(rng, 0.15)) {
    if (code > 0xffff) return `\\U${hex(code, 8)}`;
    if (code > 0xff) return pick(rng, [`\\u${hex(code, 4)}`, `\\U${hex(code, 8)}`]);
    return pick(rng, [`\\x${hex(code, 2)}`, `\\u${hex(code, 4)}`, `\\${code.toString(8).padStart(3, "0")}`]);
  }
  if (chance(rng, 0.02)) return `\\${pick(rng, ["q", "d", "8", "w"])}${ch}`; // unknown escapes stay
  return ch;
}

function stringLiteral(rng: Rng, text: string): string {
  // Mostly what repr prints; sometimes other valid spellings.
  const hasSingle = text.includes("'");
  const hasDouble = text.includes('"');
  let quote = hasSingle && !hasDouble ? '"' : "'";
  if (chance(rng, 0.2)) quote = pick(rng, ["'", '"']);
  const triple = chance(rng, 0.05);
  const rawable = !/['"\\\n\r]/.test(text) && text.length > 0;
  const prefix =
    rawable && chance(rng, 0.1) ? pick(rng, ["r", "R"]) : chance(rng, 0.05) ? pick(rng, ["u", "U"]) : "";
  let body = "";
  if (prefix === "r" || prefix === "R") body = text;
  else for (const ch of text) body += escapeChar(rng, ch, quote, triple);
  // A body ending in the quote character would close a triple-quoted string early.
  const q = triple && !body.endsWith(quote) ? quote.repeat(3) : quote;
  return `${prefix}${q}${body}${q}`;
}

/** Inside brackets any whitespace, newlines, comments and continuations may separate tokens. */
function gap(rng: Rng, inBrackets: boolean): string {
  if (!inBrackets) return chance(rng, 0.1) ? pick(rng, [" ", "\t", " \\\n"]) : "";
  if (chance(rng, 0.75)) return "";
  return pick(rng, [" ", "  ", "\t", "\n", "\n    ", " # comment\n", "\r\n", "\\\n", "\f"]);
}

function intLiteral(rng: Rng): string {
  const n = Math.floor(rng() * 1000);
  return pick(rng, [
    String(n),
    String(n),
    "0",
    "00",
    "1_000",
    `0x${n.toString(16)}`,
    `0X${n.toString(16).toUpperCase()}`,
    `0o${n.toString(8)}`,
    `0b${n.toString(2)}`,
    "12345678901234567890123",
    String(2 ** 53 + 1),
  ]);
}

function floatLiteral(rng: Rng): string {
  const x = (rng() - 0.5) * 10 ** Math.floor(rng() * 40 - 20);
  return pick(rng, [
    String(Math.abs(x)),
    Math.abs(x).toExponential(),
    "0.1",
    ".5",
    "5.",
    "1e5",
    "1E-5",
    "1_0.5e1_0",
    "0.1000000000000000000001",
    "1e400",
    "1e-400",
    "5e-324",
    "1.7976931348623157e308",
    "0.0",
    "09.5",
  ]);
}

function value(rng: Rng, depth: number, inBrackets: boolean): string {
  const g = () => gap(rng, inBrackets);
  const r = rng();
  if (depth > 2 || r < 0.45) {
    const s = rng();
    if (s < 0.55) {
      const lit = stringLiteral(rng, randomText(rng));
      // Adjacent literals concatenate.
      return chance(rng, 0.05) ? `${lit}${g() || " "}${stringLiteral(rng, randomText(rng))}` : lit;
    }
    if (s < 0.65) return pick(rng, ["None", "True", "False"]);
    const sign = chance(rng, 0.2) ? `${pick(rng, ["-", "+"])}${g()}` : "";
    const num = s < 0.85 ? intLiteral(rng) : floatLiteral(rng);
    if (chance(rng, 0.03)) return `${num}j`; // complex: not JSON
    return chance(rng, 0.05) ? `${sign}(${num})` : `${sign}${num}`;
  }
  const n = pick(rng, [0, 1, 2, 3, 4]);
  const items: string[] = [];
  const kind = rng();
  if (kind < 0.5) {
    for (let i = 0; i < n; i++) {
      const key = chance(rng, 0.95)
        ? stringLiteral(rng, randomText(rng))
        : pick(rng, ["1", "None", "(1, 2)", "True"]);
      items.push(`${g()}${key}${g()}:${g() || " "}${value(rng, depth + 1, true)}${g()}`);
    }
    const trailing = n > 0 && chance(rng, 0.1) ? "," : "";
    return `{${items.join(",")}${trailing}}`;
  }
  for (let i = 0; i < n; i++) items.push(`${g()}${value(rng, depth + 1, true)}${g()}`);
  if (kind < 0.8) return `[${items.join(", ")}${n > 0 && chance(rng, 0.1) ? "," : ""}]`;
  if (kind < 0.95) return n === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  return n === 0 ? "set()" : `{${items.join(", ")}}`; // sets: not JSON
}

/** A passback_params-like dict, printed as the API prints it. */
function passbackLike(rng: Rng): string {
  const course = pick(rng, ["SkillFactory+DST-3.0+28FEB2021", "SkillFactory+Kid's-Code+2024", 'Q"uote+X']);
  const user = Math.floor(rng() * 1e12).toString(16);
  const entries: [string, string][] = [
    ["oauth_consumer_key", ""],
    ["lis_result_sourcedid", `course-v1:${course}:lms.skillfactory.ru-abc:${user}`],
  ];
  if (chance(rng, 0.7))
    entries.push(["lis_outcome_service_url", `https://lms.skillfactory.ru/courses/${course}/x`]);
  const repr = (s: string) => {
    const q = s.includes("'") && !s.includes('"') ? '"' : "'";
    return `${q}${s.replaceAll("\\", "\\\\").replaceAll(q, `\\${q}`)}${q}`;
  };
  return `{${entries.map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`;
}

export function validLiteral(rng: Rng): string {
  const body = chance(rng, 0.3) ? passbackLike(rng) : value(rng, 0, false);
  const lead = chance(rng, 0.1) ? pick(rng, [" ", "\t", "  ", "\n", "# c\n", "\f"]) : "";
  const tail = chance(rng, 0.1) ? pick(rng, [" ", "\n", " # trailing", "\n\n", "\r\n", "\t", "\n# x\n"]) : "";
  // A bare top-level tuple is valid too.
  const tuple = chance(rng, 0.02) ? `, ${value(rng, 1, false)}` : "";
  return `${lead}${body}${tuple}${tail}`;
}

const STRAY = [..."'\"\\,:{}[]()# \n\t-+.0xjN_eE", "\r", "u", "b", "None", "'''", "\\x", "\\u12", "\\N{"];

/** A likely-broken variant: truncated, a stray character inserted, one deleted or doubled. */
export function mutate(rng: Rng, text: string): string {
  let s = text;
  const times = chance(rng, 0.8) ? 1 : 2;
  for (let t = 0; t < times; t++) {
    const chars = [...s];
    const at = Math.floor(rng() * (chars.length + 1));
    const op = rng();
    if (op < 0.3) chars.length = at;
    else if (op < 0.7) chars.splice(at, 0, pick(rng, STRAY));
    else if (op < 0.85) chars.splice(at, 1);
    else chars.splice(at, 0, chars[at] ?? "'");
    s = chars.join("");
  }
  return s;
}

/**
 * Texts for the fast paths of migration 0120: what a flat dict of strings can hold that looks like
 * its punctuation (`: `, `, `, quotes, braces), LIKE's wildcards, raw characters Python takes inside a
 * string (tab, form feed, other controls, non-ASCII), the ones it refuses (line breaks), escapes.
 */
const FLAT_TEXT = [
  ..."abc",
  "",
  "key",
  ": ",
  ", ",
  "': '",
  "', '",
  "{",
  "}",
  "'",
  '"',
  "%",
  "_",
  "\\",
  "\t",
  "\f",
  "\v",
  "\x01",
  "\x1c",
  "\x7f",
  "\x85",
  "\u2028",
  "é",
  "Ж",
  "😀",
  " ",
  "\n",
  "\r",
];

function flatText(rng: Rng): string {
  let s = "";
  for (let i = pick(rng, [0, 1, 1, 2, 3]); i > 0; i--) s += pick(rng, FLAT_TEXT);
  return s;
}

/** A str literal with the text raw between the quotes (what the API could send), or as repr writes it. */
function flatString(rng: Rng, text: string): string {
  const q = text.includes("'") && !text.includes('"') ? '"' : "'";
  if (chance(rng, 0.5)) return `${q}${text.replaceAll("\\", "\\\\").replaceAll(q, `\\${q}`)}${q}`;
  const escaped = [...text].map((ch) => {
    if (ch === "\\" || ch === q) return `\\${ch}`;
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    const code = ch.codePointAt(0) as number;
    return code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) ? `\\x${hex(code, 2)}` : ch;
  });
  return `${q}${escaped.join("")}${q}`;
}

/**
 * Flat dicts of 0-5 strings, mostly in repr's exact spacing (the fast paths' shape), sometimes with a
 * repeated key, other spacing or a trailing comma; a fifth of them broken by `mutate`.
 */
export function generateFlatDicts(seed: number, n: number): string[] {
  const rng = seededRng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const keys: string[] = [];
    const items: string[] = [];
    const colon = chance(rng, 0.9) ? ": " : pick(rng, [":", " : ", ":  ", ":\t"]);
    const comma = chance(rng, 0.9) ? ", " : pick(rng, [",", " ,", ",  "]);
    for (let k = pick(rng, [0, 1, 2, 2, 3, 3, 3, 4, 5]); k > 0; k--) {
      const key = keys.length > 0 && chance(rng, 0.15) ? pick(rng, keys) : flatText(rng);
      keys.push(key);
      items.push(`${flatString(rng, key)}${colon}${flatString(rng, flatText(rng))}`);
    }
    const trailing = items.length > 0 && chance(rng, 0.05) ? "," : "";
    const text = `{${items.join(comma)}${trailing}}`;
    out.push(chance(rng, 0.2) ? mutate(rng, text) : text);
  }
  return out;
}

/** The fast paths' edges by hand; the property test checks each against ast.literal_eval. */
export const FLAT_EDGES = [
  // Duplicate keys (the last wins), empty strings, quotes of the other kind inside.
  "{'a': 'x', 'a': 'y'}",
  "{'a': 'x', 'b': 'y', 'a': 'z'}",
  "{'a': 'x', 'b': 'y', 'c': 'z', 'a': 'w'}",
  "{'': ''}",
  "{'': 'x', 'y': ''}",
  "{'a': '', 'b': '', 'c': ''}",
  `{'a': 'say "hi"'}`,
  `{'"': '"', 'b': '""'}`,
  // Raw characters Python takes inside a string, and line breaks it refuses.
  "{'a': 'tab\there', 'b': 'feed\fhere', 'c': 'café Ж 😀'}",
  "{'a': 'x\vy', 'b': '\x1c\x85\u2028\u2029\x01\x7f'}",
  "{'a': 'line\nbreak'}",
  "{'a': 'cr\rhere'}",
  "{'a': 'back\\\\slash', 'b': 'it\\'s'}",
  // Other spacing, trailing commas, the empty dict: valid Python, not the fast shape.
  "{'a':'b'}",
  "{'a' : 'b'}",
  "{'a': 'b' }",
  "{ 'a': 'b'}",
  "{'a': 'b',  'c': 'd'}",
  "{'a': 'b' , 'c': 'd'}",
  "{'a':\t'b'}",
  "{}",
  "{'a': 'b',}",
  "{'a': 'b', 'c': 'd',}",
  "{'a': 'b'} ",
  "{'a': 'b'}\n",
  "{'a': 'b'} # note",
  // A value with an apostrophe, which repr writes in double quotes.
  `{'a': "it's"}`,
  `{'oauth_consumer_key': '', 'lis_result_sourcedid': "course-v1:SkillFactory+Kid's-Code:u1"}`,
  `{"it's": 'x', 'b': "o'k", 'c': 'say "hi"'}`,
  `{'a': "x", 'a': 'y'}`,
  `{'a': "tab\there", 'b': "x\x1fy"}`,
  `{'a': ""}`,
  `{'a': "say \\"hi\\""}`,
  // Strings that look like the punctuation, LIKE's wildcards, 1 to 5 pairs.
  "{'a': ': '}",
  "{': ': 'a'}",
  "{': ': ': '}",
  "{', ': ', '}",
  "{'a': ', ', 'b': ': '}",
  `{'a': "': '", 'b': "', '"}`,
  "{'{': '}', '}': '{'}",
  "{'%': '_', '%_%': '%%'}",
  "{'a': 'b', 'c': 'd', 'e': 'f', 'g': 'h'}",
  "{'a': 'b', 'c': 'd', 'e': 'f', 'g': 'h', 'i': 'j'}",
  // The pattern matches but the quotes do not pair up, or the text is not a dict of strings.
  "{'a': 'b', 'c': 'd', 'e': 'f'}''x'}",
  "{'a': 'b', 'c': 'd'}'}",
  "{'a': 'b'}{'c': 'd'}",
  "{'a': 'b', 'c'}",
  "{'a', 'b', 'c', 'd'}",
  "{'a': 'b': 'c': 'd'}",
  "{'a': 1}",
  "{'a': None, 'b': 'c'}",
  "{'a': {'b': 'c'}}",
  "{u'a': 'b'}",
  "{r'a': 'b'}",
  "{b'a': 'b'}",
  "{'a' 'b': 'c'}",
  "{'''a''': 'b'}",
  `{"a": "b"}`,
  `{"a': 'b"}`,
];

export function generateCases(seed: number, valid: number, mutated: number): string[] {
  const rng = seededRng(seed);
  const out: string[] = [];
  for (let i = 0; i < valid; i++) out.push(validLiteral(rng));
  for (let i = 0; i < mutated; i++) out.push(mutate(rng, validLiteral(rng)));
  // Fixed cases worth keeping whatever the seed.
  out.push(
    "{'a': 'b'}",
    "{'it': \"it's\"}",
    "{}",
    "",
    " ",
    "None",
    "{'a': '''x'''}",
    "'a' 'b'",
    "1, 2",
    "-(1)",
    "-(-1)",
    "--1",
    "{'a': 1e400}",
    "{1, 2}",
    "{'a':1,'a':2}",
    "[1,,]",
    "\n  {}",
    "{}\n  ",
    "{} \\\n",
    "'\\x4'",
    "'\\ud83d\\ude00'",
    "'\\0'",
    "b'x'",
    "{'a': 'b'}}",
    "{'a' 'b': 1}",
    "{'a': 'b', }",
    "{'a': 'b',, }",
    "{'a', 'b'}",
    "{'a': 'b': 'c'}",
    "{'a': 'b': 'c', 'd'}",
    "{'it's': 'x'}",
    "{'a{': 'b'}",
    "{'a': '}'}",
    "{'a': 'b\nc'}",
    "{'a': 'b\\c'}",
    "{'a': 'b', 'c': 'd', 'e': 'f', 'g': 'h', 'i': 'j'}",
    "{'a': \"b\", \"c\": 'd'}",
    "{'a': \"b'\"}",
    "{'a': 'x', 'a': 'y'}",
    "{'a': 'x', 'b': 'y', 'a': 'z'}",
    "{'a': '%s', 'b': '%2$s'}",
    "{'a': 'tab\there'}",
    "{'a': 'b'} ",
    " {'a': 'b'}",
    "{'a': 'b',\n 'c': 'd'}",
  );
  return out;
}
