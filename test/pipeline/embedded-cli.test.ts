// Two commands at once on the embedded database (issue 11): `elt status` while an `elt run` is
// downloading, both through the real binary, and the server stopped once both are done.
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runningPid, stopEmbeddedServer } from "../../src/db/embedded-server.ts";
import { type Simulator, startSimulator } from "../../src/simulator/start-simulator.ts";
import { runElt } from "../helpers/cli.ts";
import { SHIPPED_MODELS_YAML, tempProject } from "../helpers/project.ts";

let sim: Simulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, perDay: 300 });
  dir = tempProject({
    "project.yml": `
api: {url: "${sim.url}", client: demo, client_key: demo-key}
${SHIPPED_MODELS_YAML}
`,
  });
});
afterAll(async () => {
  await stopEmbeddedServer(join(dir, ".elt/pgdata"));
  await sim?.close();
});

const serverAlive = () => runningPid(join(dir, ".elt/pgdata")) !== undefined;

it("elt status answers while elt run holds the project lock; the last one out stops the server", async () => {
  // The download waits 4 s: the run is mid-way (lock held, ledger row 'running') meanwhile.
  sim.setFaults([{ kind: "delay", ms: 4000, times: 1 }]);
  const env = { DATABASE_URL: "" };
  const running = runElt(["run", "--date", "2026-11-10", "--skip-export", "--project-dir", dir], { env });
  const t0 = Date.now();
  while (sim.requests === 0 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
  expect(sim.requests).toBe(1);
  const status = await runElt(["status", "--project-dir", dir], { env });
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toMatch(/^1\s+\S+ \S+\s+running/m);
  // The run still uses the server: status did not stop it.
  expect(serverAlive()).toBe(true);
  const run = await running;
  expect(run.code, run.stderr).toBe(0);
  // The last command out asked it to stop (it finishes its shutdown checkpoint on its own).
  for (let i = 0; i < 200 && serverAlive(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(serverAlive()).toBe(false);
  const after = await runElt(["status", "--project-dir", dir], { env });
  expect(after.stdout).toMatch(/^1\s+\S+ \S+\s+success/m);
});
