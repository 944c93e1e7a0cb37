import { isNode, parseDocument } from "yaml";

/** A parsed YAML text that can say on which line of its file a key path sits. */
export interface YamlSource {
  value: unknown;
  /** Parse errors, already as `line: message`. */
  errors: { line: number; message: string }[];
  lineOf(path: readonly PropertyKey[]): number;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** `firstLine` is the file line the YAML text starts on (header blocks start below line 1). */
export function parseYamlSource(text: string, firstLine = 1): YamlSource {
  const doc = parseDocument(text);
  const errors = doc.errors.map((e) => ({
    line: firstLine - 1 + (e.linePos?.[0]?.line ?? 1),
    message: e.message.split("\n")[0] ?? e.message,
  }));
  return {
    value: errors.length > 0 ? undefined : doc.toJS(),
    errors,
    lineOf(path) {
      // The deepest node that exists on the path: a wrong value points at itself, a missing key at its parent.
      for (let n = path.length; n > 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) return firstLine - 1 + lineAt(text, node.range[0]);
      }
      return firstLine;
    },
  };
}
