import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectJsonSchema } from "../../src/config/json-schema.ts";
import { loadProject } from "../../src/config/load-project.ts";
import { ConfigError } from "../../src/errors.ts";
import { clearSecrets, maskSecrets } from "../../src/log/mask.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { runElt } from "../helpers/cli.ts";
import { tempProject } from "../helpers/project.ts";

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadProject", () => {
  it("loads the shipped project.yml with an empty environment: embedded database, defaults", () => {
    const { config } = loadProject(PACKAGE_ROOT, { env: {} });
    expect(config.database.url).toBeUndefined();
    expect(config.api.url).toBe("https://b2b.itresume.ru/api/statistics");
    expect(config.logs).toEqual({ dir: "logs", level: "info", retention_days: 3 });
    expect(config.exports.email.to).toEqual([]);
  });

  it("reads every documented variable", () => {
    const { config } = loadProject(PACKAGE_ROOT, {
      env: {
        DATABASE_URL: "postgres://u:pw@db:5432/grade",
        ELT_API_URL: "http://127.0.0.1:9/api/statistics",
        ELT_API_CLIENT: "Skillfactory",
        ELT_API_CLIENT_KEY: "M2MGWS-secret",
        ELT_LOG_DIR: "/var/log/elt",
        ELT_LOG_LEVEL: "debug",
        ELT_SMTP_URL: "smtps://me:pw@smtp.example:465",
        ELT_EMAIL_FROM: "elt@example.org",
        ELT_EMAIL_TO: "a@example.org, b@example.org",
        ELT_SHEETS_CREDENTIALS: "/secrets/sa.json",
        ELT_SHEETS_SPREADSHEET_ID: "sheet-1",
        ELT_SHEETS_ROOT_URL: "http://127.0.0.1:9/",
      },
    });
    expect(config.database.url).toBe("postgres://u:pw@db:5432/grade");
    expect(config.api).toMatchObject({ client: "Skillfactory", client_key: "M2MGWS-secret" });
    expect(config.logs).toMatchObject({ dir: "/var/log/elt", level: "debug" });
    expect(config.exports.email.to).toEqual(["a@example.org", "b@example.org"]);
    expect(config.exports.sheets).toMatchObject({
      credentials: "/secrets/sa.json",
      spreadsheet_id: "sheet-1",
    });
  });

  it("names the file and key path of a missing key", () => {
    const dir = tempProject({
      "project.yml": "exports:\n  email:\n    smtp_url: smtp://localhost:25\n    from: a@b.c\n",
    });
    expect(errorOf(() => loadProject(dir, { env: {} })).message).toBe(
      "project.yml: exports.email.to: Required",
    );
  });

  it("names the key path of a wrong type and of an unknown key, all at once", () => {
    const dir = tempProject({
      "project.yml": "logs:\n  retention_days: many\n  colour: red\napi:\n  retries: [1]\n",
    });
    const error = errorOf(() => loadProject(dir, { env: {} }));
    expect(error.exitCode).toBe(2);
    const lines = error.message.split("\n");
    expect(lines).toContain('project.yml: logs: unknown key "colour"');
    expect(lines.some((l) => l.startsWith("project.yml: logs.retention_days: "))).toBe(true);
    expect(lines.some((l) => l.startsWith("project.yml: api.retries: "))).toBe(true);
  });

  it("reports an unset variable without default by key path", () => {
    const dir = tempProject({ "project.yml": "api:\n  client_key: ${NOPE_KEY}\n" });
    expect(errorOf(() => loadProject(dir, { env: {} })).message).toBe(
      "project.yml: api.client_key: variable NOPE_KEY is not set (write ${NOPE_KEY:-default} for a default)",
    );
  });

  it("interpolates from .env beside project.yml; the environment wins; defaults and escapes", () => {
    const dir = tempProject({
      "project.yml":
        'name: "${NAME}-${SUFFIX:-x}"\nvars:\n  literal: "$${NOT_A_VAR}"\n  from_env: ${FROM_ENV}\n',
      ".env": "NAME=fromdotenv\nFROM_ENV=dotenv\n",
    });
    const { config } = loadProject(dir, { env: { FROM_ENV: "process" } });
    expect(config.name).toBe("fromdotenv-x");
    expect(config.vars).toEqual({ literal: "${NOT_A_VAR}", from_env: "process" });
  });

  it("rejects an unparseable database.url or smtp_url by key, without echoing the password", () => {
    const dir = tempProject({
      "project.yml":
        "database:\n  url: ${DATABASE_URL}\nexports:\n  email:\n    smtp_url: ${SMTP}\n    from: a@b.c\n    to: [x@y.z]\n",
    });
    const error = errorOf(() =>
      loadProject(dir, {
        env: {
          DATABASE_URL: "postgres://grade:Pg9/secret:x@db:5432/grade",
          SMTP: "smtps://robot:Ab3/xYz9+q@smtp.mail.ru:465",
        },
      }),
    );
    expect(error.exitCode).toBe(2);
    expect(error.message.split("\n")).toEqual([
      "project.yml: database.url: not a valid URL; percent-encode special characters in the password",
      "project.yml: exports.email.smtp_url: not a valid URL; percent-encode special characters in the password",
    ]);
    expect(error.message).not.toMatch(/secret|xYz9/);
    // The passwords were registered anyway: a later message quoting them is masked.
    expect(maskSecrets("login Ab3/xYz9+q and Pg9/secret:x")).toBe("login *** and ***");
    clearSecrets();
  });

  it("elt exits 2 on an unparseable DATABASE_URL, naming the key, without the password or a stack", async () => {
    const dir = tempProject({ "project.yml": "database:\n  url: ${DATABASE_URL:-}\n" });
    const result = await runElt(["migrate", "--project-dir", dir], {
      env: { DATABASE_URL: "postgres://grade:Pg9/secret@db:5432/grade" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/database\.url: not a valid URL; percent-encode special characters/);
    expect(result.stderr).not.toMatch(/secret|\bat \S+\.ts:\d+/);
  });

  it("registers a URL password that new URL misreads, and accepts pg's socket forms", () => {
    const dir = tempProject({ "project.yml": "database:\n  url: ${DATABASE_URL}\n" });
    // Parses (host "u", port 123), but "123/abc" was meant as the password.
    expect(
      loadProject(dir, { env: { DATABASE_URL: "postgres://u:123/abcd@h/db" } }).config.database.url,
    ).toBe("postgres://u:123/abcd@h/db");
    expect(maskSecrets("password 123/abcd")).toBe("password ***");
    clearSecrets();
    for (const url of [
      "/var/run/postgresql grade",
      "postgres://u:pw@/grade?host=/tmp",
      "socket:/tmp?db=grade",
    ]) {
      expect(loadProject(dir, { env: { DATABASE_URL: url } }).config.database.url).toBe(url);
    }
    clearSecrets();
  });

  it("says where project.yml is missing, and reports YAML syntax errors", () => {
    const empty = tempProject({});
    expect(errorOf(() => loadProject(empty, { env: {} })).message).toMatch(/project\.yml not found in/);
    const broken = tempProject({ "project.yml": "logs: [\n" });
    expect(errorOf(() => loadProject(broken, { env: {} })).message).toMatch(/^project\.yml: /);
  });

  it("publishes a current JSON schema generated from the zod schema", () => {
    const committed = JSON.parse(readFileSync(join(PACKAGE_ROOT, "project.schema.json"), "utf8"));
    expect(committed).toEqual(projectJsonSchema());
    // The schema knows every top-level section and rejects unknown keys, like the loader.
    expect(Object.keys(committed.properties)).toEqual(
      expect.arrayContaining(["database", "api", "extract", "logs", "models", "vars", "exports"]),
    );
    expect(committed.additionalProperties).toBe(false);
  });

  it("the example in the README stays loadable", () => {
    const dir = tempProject({ "project.yml": readFileSync(join(PACKAGE_ROOT, "project.yml"), "utf8") });
    writeFileSync(join(dir, ".env"), "ELT_EMAIL_TO=x@example.org\n");
    expect(loadProject(dir, { env: {} }).config.exports.email.to).toEqual(["x@example.org"]);
  });
});
