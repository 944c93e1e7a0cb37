import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { parseDocument } from "yaml";
import { INVALID_URL_MESSAGE, parseDatabaseUrl } from "../db/database-url.ts";
import { ConfigError } from "../errors.ts";
import { registerSecret } from "../log/mask.ts";
import { type InterpolationProblem, interpolateTree } from "./interpolate.ts";
import { type ProjectConfig, projectSchema } from "./project-schema.ts";
import { urlPasswords } from "./url-password.ts";
import { issueMessage } from "./zod-issue.ts";

export const PROJECT_FILE = "project.yml";

export interface Project {
  /** Absolute project folder; every relative path in the config is relative to it. */
  dir: string;
  config: ProjectConfig;
}

export interface LoadProjectOptions {
  /** Defaults to process.env; `.env` beside project.yml fills what it does not set. */
  env?: Readonly<Record<string, string | undefined>>;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
    .join(".")
    .replace(/\.\[/g, "[");
}

function readEnvFile(dir: string): Record<string, string> {
  const file = join(dir, ".env");
  if (!existsSync(file)) return {};
  try {
    return parseEnv(readFileSync(file, "utf8")) as Record<string, string>;
  } catch (error) {
    throw new ConfigError(`.env: cannot be parsed: ${(error as Error).message}`, { code: "CONFIG_ENV" });
  }
}

/** Reads, interpolates and validates project.yml; every problem is reported at once, by key path. */
export function loadProject(projectDir = ".", options: LoadProjectOptions = {}): Project {
  const dir = resolve(projectDir);
  const file = join(dir, PROJECT_FILE);
  if (!existsSync(file)) {
    throw new ConfigError(`${PROJECT_FILE} not found in ${dir}`, {
      code: "CONFIG_MISSING",
      hint: "run elt from the project folder or pass --project-dir",
    });
  }
  const doc = parseDocument(readFileSync(file, "utf8"), { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${PROJECT_FILE}: ${e.message}`).join("\n"), {
      code: "CONFIG_YAML",
    });
  }
  const env = { ...readEnvFile(dir), ...(options.env ?? process.env) };
  const problems: InterpolationProblem[] = [];
  const raw = interpolateTree(doc.toJS() ?? {}, env, problems);
  const messages = problems.map((p) => `${PROJECT_FILE}: ${formatPath(p.path)}: ${p.message}`);

  const parsed = projectSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      messages.push(`${PROJECT_FILE}: ${formatPath(issue.path) || "(top level)"}: ${issueMessage(issue)}`);
    }
  }
  if (parsed.success) {
    // Registered before any check can fail, so nothing printed afterwards shows them.
    registerConfigSecrets(parsed.data);
    messages.push(...urlProblems(parsed.data));
  }
  if (messages.length > 0 || !parsed.success) {
    throw new ConfigError(messages.join("\n"), { code: "CONFIG_INVALID" });
  }
  return { dir, config: parsed.data };
}

/** Connection URLs that would only fail later (with the URL, password included, in the error). */
function urlProblems(config: ProjectConfig): string[] {
  const problems: string[] = [];
  const { url } = config.database;
  if (url && !parseDatabaseUrl(url)) problems.push(`${PROJECT_FILE}: database.url: ${INVALID_URL_MESSAGE}`);
  const smtp = config.exports.email.smtp_url;
  if (smtp && !URL.canParse(smtp)) {
    problems.push(`${PROJECT_FILE}: exports.email.smtp_url: ${INVALID_URL_MESSAGE}`);
  }
  return problems;
}

function registerConfigSecrets(config: ProjectConfig): void {
  registerSecret(config.api.client_key);
  for (const password of urlPasswords(config.database.url)) registerSecret(password);
  for (const password of urlPasswords(config.exports.email.smtp_url)) registerSecret(password);
}
