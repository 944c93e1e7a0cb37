import { EltError } from "../errors.ts";

/** One problem found while planning the project: the file (relative to the project) and line. */
export interface CompileProblem {
  file: string;
  line?: number;
  message: string;
}

export function formatProblem(p: CompileProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ""}: ${p.message}`;
}

/**
 * Every compile problem of the project at once (exit 2): analysts fix them in one pass instead of
 * rerunning after each.
 */
export class CompileError extends EltError {
  readonly problems: CompileProblem[];

  constructor(problems: CompileProblem[]) {
    const n = problems.length;
    super(
      `${n} compile error${n === 1 ? "" : "s"}:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
      {
        code: "COMPILE",
        exitCode: 2,
      },
    );
    this.name = "CompileError";
    this.problems = problems;
  }
}
