// Usage mistakes a person can read and act on: a future date stops `elt run` before it records a
// run or sends an email; the simulator's port in use is one line, not a stack; every hint names
// variables the shipped project.yml reads. The real binary against the machine's PostgreSQL and a
// local SMTP server.
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDate } from "../../src/log/timestamp.ts";
import { PACKAGE_ROOT } from "../../src/package-root.ts";
import { runElt } from "../helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.ts";
import { emailYaml, SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

let db: TestDatabase;
let smtp: TestSmtp;

beforeAll(async () => {
  db = await createTestDatabase("cli_usage");
  smtp = await startSmtp();
});

afterAll(async () => {
  await smtp?.close();
  await db?.drop();
});

async function runCount(): Promise<number> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return Number((await client.query("SELECT count(*) AS n FROM elt.runs")).rows[0].n);
  } finally {
    await client.end();
  }
}

const noStack = (stderr: string) => {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/unexpected error/);
};

describe("usage mistakes", () => {
  it("a future --date or --start exits 2 before elt run records a run or sends an email", async () => {
    const dir = tempProject({
      "project.yml": `
database:
  url: "${db.url}"
api:
  url: http://127.0.0.1:1/api
  client: demo
  client_key: demo-key
${SHIPPED_MODELS_YAML}
${emailYaml(smtp.url)}
`,
    });
    // The ledger exists, so "no run recorded" below is a count, not a missing table.
    expect((await runElt(["migrate", "--project-dir", dir])).code).toBe(0);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    for (const args of [
      ["--date", tomorrow],
      ["--start", `${tomorrow} 10:00`],
    ]) {
      const r = await runElt(["run", "--project-dir", dir, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/--start is in the future: .* \(UTC now .*\)/);
      expect(r.stderr).toContain("hint: --date and --start take UTC days or times up to now");
      noStack(r.stderr);
    }
    expect(await runCount()).toBe(0);
    expect(smtp.received).toHaveLength(0);
    // It is in the dated log file too.
    const log = readFileSync(join(dir, "logs", `${localDate()}.log`), "utf8");
    expect(log).toMatch(/ERROR --start is in the future/);
  });

  it("elt dev api on a port in use: exit 2, 'port N is in use', no stack", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    const dir = tempProject({});
    try {
      const r = await runElt(["dev", "api", "--port", String(port)], { cwd: dir, timeoutMs: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`port ${port} is in use`);
      expect(r.stderr).toMatch(/hint: .*--port 0/);
      noStack(r.stderr);
      const tooHigh = await runElt(["dev", "api", "--port", "70000"], { cwd: dir, timeoutMs: 20_000 });
      expect(tooHigh.code).toBe(2);
      expect(tooHigh.stderr).toContain("--port: expected 0 to 65535, got 70000");
      noStack(tooHigh.stderr);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe("hints name the variables the shipped project.yml reads", () => {
  const shipped = readFileSync(join(PACKAGE_ROOT, "project.yml"), "utf8");
  const readVars = new Set([...shipped.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
  const ENV_NAME = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]\b/g;

  it("every hint in src/ (a variable-like NAME_IN_CAPS is one project.yml reads)", () => {
    const src = join(PACKAGE_ROOT, "src");
    const named: string[] = [];
    for (const file of readdirSync(src, { recursive: true }).map(String)) {
      if (!file.endsWith(".ts")) continue;
      const text = readFileSync(join(src, file), "utf8");
      // `hint: "…"` / `hint: \`…\`` values, and the hint tables (`HINTS = { … }`).
      const hints = [
        ...[...text.matchAll(/hint:\s*(`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*")/g)].map((m) => m[1] as string),
        ...[...text.matchAll(/HINTS\s*=\s*\{([\s\S]*?)\n\}/g)].map((m) => m[1] as string),
      ];
      for (const hint of hints) for (const m of hint.matchAll(ENV_NAME)) named.push(`${file}: ${m[0]}`);
    }
    expect(named.length).toBeGreaterThan(3); // DATABASE_URL, ELT_LOG_DIR, ELT_API_CLIENT_KEY, …
    expect(named.filter((n) => !readVars.has(n.split(": ")[1] as string))).toEqual([]);
  });

  it("elt extract without API credentials, on the shipped project.yml: the hint names ELT_API_CLIENT_KEY", async () => {
    const dir = tempProject({ "project.yml": shipped });
    const r = await runElt(["extract", "--project-dir", dir, "--date", "2024-03-01"], {
      env: { DATABASE_URL: db.url },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("api.client: Required to extract");
    const hint = r.stderr.split("\n").find((l) => l.includes("hint:")) ?? "";
    expect(hint).toContain("ELT_API_CLIENT_KEY");
    for (const m of hint.matchAll(ENV_NAME)) expect(readVars).toContain(m[0]);
  });
});
