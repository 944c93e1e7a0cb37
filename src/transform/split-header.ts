/** A model or test file split into its optional `/*--- yaml ---*\/` config header and the SQL body. */
export interface SplitFile {
  /** YAML text of the header, or undefined without one. */
  header?: string;
  /** File line where the header's YAML starts. */
  headerLine: number;
  body: string;
  /** File line where the body starts (template lines are offset by this minus one). */
  bodyLine: number;
}

const HEADER = /^(\s*\/\*---[^\S\n]*\n?)([\s\S]*?)---\*\/[^\S\n]*\n?/;

export function splitHeader(text: string): SplitFile {
  const m = HEADER.exec(text);
  if (!m) return { headerLine: 1, body: text, bodyLine: 1 };
  return {
    header: m[2] ?? "",
    headerLine: (m[1] ?? "").split("\n").length,
    body: text.slice(m[0].length),
    bodyLine: m[0].split("\n").length,
  };
}
