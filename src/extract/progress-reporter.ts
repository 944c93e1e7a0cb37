import cliProgress from "cli-progress";
import { log } from "../log/logger.ts";
import { formatDuration } from "../log/timestamp.ts";
import type { ExtractProgress } from "./extract.ts";

export interface ProgressReporter {
  onProgress(p: ExtractProgress): void;
  stop(): void;
}

type Write = NodeJS.WriteStream["write"];

/**
 * A bar (windows done, records, rate, ETA) on a terminal; elsewhere (CI, cron, pipes) a plain log
 * line per finished window, since a bar would only add control characters to the log.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const started = performance.now();
  const rate = (records: number) =>
    Math.round(records / Math.max(0.001, (performance.now() - started) / 1000));
  if (!stream.isTTY) {
    return {
      onProgress(p) {
        if (p.outcome === "started") return;
        log.info(
          `progress: ${p.done}/${p.total} windows, ${p.records} records, ${rate(p.records)} records/s`,
        );
      },
      stop() {},
    };
  }
  let bar: cliProgress.SingleBar | undefined;
  const original: Write = stream.write;
  let drawing = false;
  // Log lines go to the same terminal: clear the bar's line before each, redraw it after.
  const write = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const out = (c: unknown, ...r: unknown[]) =>
      (original as (...a: unknown[]) => boolean).call(stream, c, ...r);
    if (drawing || !bar) return out(chunk, ...rest);
    out("\r\x1b[2K");
    const ok = out(chunk, ...rest);
    if (String(chunk).endsWith("\n")) redraw();
    return ok;
  };
  const quietly = (fn: () => void) => {
    drawing = true;
    try {
      fn();
    } finally {
      drawing = false;
    }
  };
  // Windows differ in size, so the ETA is a rough average per window.
  const eta = (p: ExtractProgress) => {
    if (p.done === 0) return "?";
    return formatDuration(((performance.now() - started) / p.done) * (p.total - p.done));
  };
  const redraw = () => {
    const b = bar as unknown as { lastDrawnString: string | null; render(): void };
    b.lastDrawnString = "";
    b.render();
  };
  return {
    onProgress(p) {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: "windows {bar} {value}/{total} | {records} records | {rate} rec/s | ETA {left}",
            hideCursor: true,
            etaBuffer: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        const render = bar.render.bind(bar);
        (bar as unknown as { render: () => void }).render = () => quietly(render);
        stream.write = write as Write;
        quietly(() => bar?.start(p.total, p.done, { records: p.records, rate: 0, left: "?" }));
      }
      bar.update(p.done, { records: p.records, rate: rate(p.records), left: eta(p) });
    },
    stop() {
      stream.write = original;
      if (!bar) return;
      bar.stop();
      stream.write("\n");
    },
  };
}
