// One of two processes racing to take over stale lock files (test/db/lock-file.test.ts).
// Usage: node --import tsx test/db/lock-file-racer.ts <path>...; prints "ready", reads the start
// time (epoch ms) on stdin, then at start + 25 ms × i tries path i. Holds what it got until stdin ends.
import { tryLockFile } from "../../src/db/lock-file.ts";

const paths = process.argv.slice(2);
console.log("ready");
let input = "";
process.stdin.on("data", (d: Buffer) => {
  input += d.toString();
  if (!input.includes("\n")) return;
  const start = Number(input.trim());
  const won: boolean[] = [];
  for (const [i, path] of paths.entries()) {
    while (Date.now() < start + 25 * i) {
      // Spin, so both processes arrive within the same millisecond.
    }
    won.push(tryLockFile(path) !== undefined);
  }
  console.log(JSON.stringify(won));
});
process.stdin.on("end", () => process.exit(0));
