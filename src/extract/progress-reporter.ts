import cliProgress from "cli-progress";
import { log } from "../log/logger.ts";
import type { ExtractProgress } from "./extract.ts";

export interface ProgressReporter {
  onProgress(p: ExtractProgress): void;
  stop(): void;
}

/**
 * A bar (windows done, records, rate, ETA) on a terminal; elsewhere (CI, cron, pipes) a plain log
 * line per window, since a bar would only add control characters to the log.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const started = performance.now();
  const rate = (records: number) =>
    Math.round(records / Math.max(0.001, (performance.now() - started) / 1000));
  if (!stream.isTTY) {
    return {
      onProgress(p) {
        log.info(
          `progress: ${p.done}/${p.total} windows, ${p.records} records, ${rate(p.records)} records/s`,
        );
      },
      stop() {},
    };
  }
  let bar: cliProgress.SingleBar | undefined;
  return {
    onProgress(p) {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: "windows {bar} {value}/{total} | {records} records | {rate} rec/s | ETA {eta_formatted}",
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, 0, { records: 0, rate: 0 });
      }
      bar.update(p.done, { records: p.records, rate: rate(p.records) });
    },
    stop() {
      bar?.stop();
    },
  };
}
