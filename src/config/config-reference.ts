import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PACKAGE_ROOT } from "../package-root.ts";
import { type ConfigField, configFields } from "./config-fields.ts";
import { projectSchema } from "./project-schema.ts";

const INTRO = `# project.yml reference

<!-- Generated from src/config/project-schema.ts by \`npm run schema\`; edit the schema's descriptions, not this file (a test compares them). -->

\`project.yml\` sits at the top of a project; every \`elt\` command reads it from the current folder
or from \`--project-dir\`. Every key is optional: a missing one takes its default, and a missing
section takes the defaults of all its keys. Relative paths are relative to the folder of project.yml.

A misspelt key, a wrong type or a value out of range is an error naming the file and key path, all
of them at once, before anything runs (exit 2): \`project.yml: exports.email.to: Required\`.
With \`# yaml-language-server: $schema=./project.schema.json\` as its first line (the shipped file has
it), editors complete and check keys from \`project.schema.json\`, generated from the same schema.

\`--demo\` (on every command that reads the database) keeps your file but points it at local things
for that command: the demo's embedded database in \`.elt/demo/pgdata\`, the bundled API simulator,
the last three days, and the exports written to \`target/demo/\` instead of sent.

## Environment variables: \`\${VAR}\`, \`\${VAR:-default}\` and \`.env\`

Any text value may read the environment; secrets and what differs between machines belong there,
not in the file.

| written | gives |
| --- | --- |
| \`\${VAR}\` | the value of \`VAR\`; unset is an error (\`project.yml: api.client: variable ELT_API_CLIENT is not set (write \${ELT_API_CLIENT:-default} for a default)\`) |
| \`\${VAR:-default}\` | the value of \`VAR\`, or \`default\` when it is unset or empty |
| \`\${VAR:-}\` | the value, or empty text: an optional key left empty counts as absent (\`database.url: \${DATABASE_URL:-}\` means the embedded database) |
| \`$\${\` | a literal \`\${\` |

Variables are replaced inside the values after the YAML is read, so a value can never add keys or
structure. A number may come from a variable: \`lock_timeout_seconds: \${ELT_LOCK_TIMEOUT_SECONDS:-600}\`
reads the text \`600\` as the number 600.

A \`.env\` file beside project.yml (\`NAME=value\` lines, \`#\` comments, quotes as in dotenv) fills
in variables the environment does not set: the environment wins. Keep it out of version control
when it holds secrets.
`;

/** `${VAR}` and `${VAR:-default}` in the shipped project.yml, by key path, for the table of variables. */
function shippedVariables(): { variable: string; path: string; fallback: string | undefined }[] {
  const tree: unknown = parse(readFileSync(join(PACKAGE_ROOT, "project.yml"), "utf8"));
  const found: { variable: string; path: string; fallback: string | undefined }[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === "string") {
      for (const m of value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g)) {
        found.push({ variable: m[1] ?? "", path, fallback: m[2] });
      }
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(tree, "");
  return found;
}

function variablesTable(): string {
  const rows = shippedVariables().map(({ variable, path, fallback }) => {
    const when = fallback === undefined ? "required" : fallback === "" ? "unset: absent" : `\`${fallback}\``;
    return `| \`${variable}\` | [\`${path}\`](#${anchor(path)}) | ${when} |`;
  });
  return [
    "The shipped project.yml reads these variables:",
    "",
    "| variable | key | when unset |",
    "| --- | --- | --- |",
    ...rows,
  ].join("\n");
}

// The anchor of a key: its row's first cell links here through an explicit <a id>.
const anchor = (path: string) => path.replaceAll(".", "-").replaceAll("_", "-");

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function table(fields: readonly ConfigField[]): string {
  const rows = fields.map(
    (f) =>
      `| <a id="${anchor(f.path)}"></a>\`${f.path}\` | ${f.type ?? ""} | ${f.defaultText === undefined ? "—" : `\`${cell(f.defaultText)}\``} | ${cell(f.description ?? "")} |`,
  );
  return ["| key | type | default | description |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

/** A section: its description, a table of its leaves, then each nested section under a heading. */
function section(field: ConfigField, depth: number): string {
  const parts = [`${"#".repeat(depth)} ${field.path}`];
  if (field.children) {
    if (field.description) parts.push(`${field.description}.`);
    const leaves = field.children.filter((c) => !c.children);
    if (leaves.length > 0) parts.push(table(leaves));
    for (const child of field.children.filter((c) => c.children)) parts.push(section(child, depth + 1));
  } else {
    parts.push(table([field]));
  }
  return parts.join("\n\n");
}

/** docs/config-reference.md, whole: written by `npm run schema`, compared by a test. */
export function configReference(): string {
  const sections = configFields(projectSchema).map((f) => section(f, 2));
  return `${[INTRO.trimEnd(), variablesTable(), ...sections].join("\n\n")}\n`;
}
