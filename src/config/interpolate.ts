/**
 * `${VAR}` and `${VAR:-default}` in string values of the parsed YAML (not its text, so a value can
 * never inject YAML structure). `$${` escapes a literal `${`.
 */
export interface InterpolationProblem {
  path: (string | number)[];
  message: string;
}

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}/g;

export function interpolateString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  onMissing: (name: string) => void,
): string {
  return text.replace(
    PATTERN,
    (match, name: string | undefined, hasDefault: string | undefined, fallback: string | undefined) => {
      if (match === "$${") return "${";
      const key = name as string;
      const value = env[key];
      if (hasDefault !== undefined) return value === undefined || value === "" ? (fallback ?? "") : value;
      if (value === undefined) {
        onMissing(key);
        return "";
      }
      return value;
    },
  );
}

/** Walks a parsed YAML value, interpolating every string; problems carry the key path. */
export function interpolateTree(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  problems: InterpolationProblem[],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === "string") {
    return interpolateString(value, env, (name) =>
      problems.push({
        path,
        message: `variable ${name} is not set (write \${${name}:-default} for a default)`,
      }),
    );
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateTree(item, env, problems, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateTree(v, env, problems, [...path, k])]),
    );
  }
  return value;
}
