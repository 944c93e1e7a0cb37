import { cpus, totalmem } from "node:os";

export interface Machine {
  cores: number;
  memoryGb: number;
  cpu: string;
  node: string;
  platform: string;
}

/** What the figures were measured on: every summary line and result file carries it. */
export function machine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpu: list[0]?.model.trim() ?? "unknown",
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function machineLabel(m: Machine = machine()): string {
  return `${m.cores} cores, ${m.memoryGb} GB, node ${m.node}`;
}
