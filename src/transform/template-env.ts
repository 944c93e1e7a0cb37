import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, extname, join } from "node:path";
import Handlebars from "handlebars";
import type { CompileProblem } from "./compile-error.ts";
import { bracketPartial, markLines } from "./line-markers.ts";
import { sqlLiteral } from "./sql-literal.ts";
import { buildSqlSourceMap, type SourceLine, type SqlSourceMap } from "./sql-source-map.ts";

/** What the helpers can resolve while rendering one file. */
export interface RenderScope {
  /** Model name → quoted relation. */
  models: ReadonlyMap<string, string>;
  /** `source.table` → quoted relation. */
  sources: ReadonlyMap<string, string>;
  vars: Readonly<Record<string, unknown>>;
}

export interface RenderRequest {
  /** Project-relative path, for errors. */
  file: string;
  /** File line of the template's first line. */
  firstLine: number;
  /** Quoted relation `{{this}}` stands for; undefined in tests (where it is an error). */
  self?: string;
  isIncremental: boolean;
  /** SQL `{{watermark}}` renders to; undefined when the model declares no `watermark:`. */
  watermark?: string;
}

export interface Rendered {
  sql: string;
  /** Where each character of `sql` came from (file, line, column); undefined when it cannot be told. */
  map?: SqlSourceMap;
  refs: { name: string; line?: number }[];
  sources: string[];
  problems: CompileProblem[];
}

interface RenderState {
  req: RenderRequest;
  refs: Rendered["refs"];
  sources: Set<string>;
  problems: CompileProblem[];
  /** Partials being rendered, innermost last. */
  partials: string[];
  /** Rendering with line markers, for the source map (its problems and refs are thrown away). */
  marking?: boolean;
}

type HelperOptions = { loc?: { start: { line: number } }; hash?: Record<string, unknown> };

/**
 * One isolated Handlebars instance per project (never the global one, so user helpers cannot leak
 * between projects), strict (an unknown name is an error, not an empty string) and without HTML
 * escaping. Helpers record problems instead of throwing, so one render reports every bad ref.
 */
export class TemplateEnv {
  private readonly hb = Handlebars.create();
  private state: RenderState | undefined;
  readonly problems: CompileProblem[] = [];
  /** The partials' files and lines, by marker slot minus one (slot 0 is the rendered file). */
  private readonly partialSources: { file: string; lines: string[] }[] = [];

  constructor(
    private readonly scope: RenderScope,
    macroDirs: { dir: string; rel: string }[],
  ) {
    this.registerBuiltins();
    for (const m of macroDirs) this.loadMacros(m.dir, m.rel);
  }

  private problem(message: string, options?: HelperOptions): string {
    const st = this.state;
    if (!st) throw new Error(message);
    const partial = st.partials[st.partials.length - 1];
    if (partial) {
      // Inside a partial, Handlebars' locations are the partial's own lines.
      const where = options?.loc ? `${partial}:${options.loc.start.line}` : partial;
      st.problems.push({ file: st.req.file, message: `${message} (in partial ${where})` });
    } else {
      const line = this.line(options);
      st.problems.push({ file: st.req.file, ...(line ? { line } : {}), message });
    }
    return "/* error */";
  }

  private line(options: HelperOptions | undefined): number | undefined {
    const st = this.state;
    if (!options?.loc || !st || st.partials.length > 0) return undefined;
    return st.req.firstLine + options.loc.start.line - 1;
  }

  private registerBuiltins(): void {
    const args = (all: unknown[]) => ({
      values: all.slice(0, -1),
      options: all[all.length - 1] as HelperOptions,
    });
    this.hb.registerHelper("ref", (...all: unknown[]) => {
      const { values, options } = args(all);
      const [name] = values;
      if (values.length !== 1 || typeof name !== "string")
        return this.problem('usage: {{ref "model"}}', options);
      const relation = this.scope.models.get(name);
      if (!relation) return this.problem(`unknown model "${name}" in {{ref}}`, options);
      const line = this.line(options);
      this.state?.refs.push({ name, ...(line ? { line } : {}) });
      return relation;
    });
    this.hb.registerHelper("source", (...all: unknown[]) => {
      const { values, options } = args(all);
      const [source, table] = values;
      if (values.length !== 2 || typeof source !== "string" || typeof table !== "string") {
        return this.problem('usage: {{source "source_name" "table_name"}}', options);
      }
      const relation = this.scope.sources.get(`${source}.${table}`);
      if (!relation)
        return this.problem(
          `unknown source "${source}.${table}" (declare it under sources: in a yml)`,
          options,
        );
      this.state?.sources.add(`${source}.${table}`);
      return relation;
    });
    this.hb.registerHelper("var", (...all: unknown[]) => {
      const { values, options } = args(all);
      const [name] = values;
      if (values.length < 1 || values.length > 2 || typeof name !== "string") {
        return this.problem('usage: {{var "name"}} or {{var "name" default}}', options);
      }
      if (Object.hasOwn(this.scope.vars, name)) return sqlLiteral(this.scope.vars[name]);
      if (values.length === 2) return sqlLiteral(values[1]);
      return this.problem(
        `unknown var "${name}" (set it in project.yml vars or --vars, or give a default)`,
        options,
      );
    });
    this.hb.registerHelper("watermark", (...all: unknown[]) => {
      const { options } = args(all);
      const wm = this.state?.req.watermark;
      if (wm === undefined)
        return this.problem("{{watermark}} needs `watermark: <column>` in the model config", options);
      return wm;
    });
  }

  private loadMacros(dir: string, rel: string): void {
    let files: string[];
    try {
      files = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const f of files) {
      const ext = extname(f);
      const name = basename(f, ext);
      const path = join(dir, f);
      if (ext === ".hbs") {
        // Compiled like models (strict) and wrapped, so problems inside say which partial.
        const source = readFileSync(path, "utf8");
        const template = this.hb.compile(source, { strict: true, noEscape: true });
        const where = `${rel}/${f}`;
        const slot = this.partialSources.push({ file: where, lines: source.split("\n") });
        const marked = this.hb.compile(markLines(source, slot), { strict: true, noEscape: true });
        this.hb.registerPartial(name, ((context: unknown, options: Handlebars.RuntimeOptions) => {
          const st = this.state;
          st?.partials.push(where);
          try {
            return st?.marking ? bracketPartial(marked(context, options)) : template(context, options);
          } catch (error) {
            if (!st) throw error;
            const p = templateProblem(error, { file: st.req.file, firstLine: 1, isIncremental: false });
            st.problems.push({
              file: st.req.file,
              message: `${p.message} (in partial ${where}${p.line ? `:${p.line}` : ""})`,
            });
            return "/* error */";
          } finally {
            st?.partials.pop();
          }
        }) as unknown as HandlebarsTemplateDelegate);
      } else if (ext === ".cjs") {
        // CommonJS so the plan stays synchronous (no dynamic import); each exported function is a helper.
        try {
          const mod = createRequire(path)(path) as Record<string, unknown>;
          for (const [helper, fn] of Object.entries(mod)) {
            if (typeof fn !== "function") continue;
            this.hb.registerHelper(helper, (...a: unknown[]) => {
              try {
                return fn(...a);
              } catch (error) {
                return this.problem(
                  `helper ${helper} (${rel}/${f}): ${(error as Error).message}`,
                  a[a.length - 1] as HelperOptions,
                );
              }
            });
          }
        } catch (error) {
          this.problems.push({
            file: `${rel}/${f}`,
            message: `cannot load helpers: ${(error as Error).message}`,
          });
        }
      }
    }
  }

  /** Compiles once; the returned function renders with a full or an incremental context. */
  compile(body: string): (req: RenderRequest) => Rendered {
    let template: HandlebarsTemplateDelegate | undefined;
    let parseError: unknown;
    try {
      template = this.hb.compile(body, { strict: true, noEscape: true });
    } catch (error) {
      parseError = error;
    }
    const marked = this.hb.compile(markLines(body, 0), { strict: true, noEscape: true });
    const bodyLines = body.split("\n");
    return (req) => {
      const state: RenderState = { req, refs: [], sources: new Set(), problems: [], partials: [] };
      let sql = "";
      this.state = state;
      try {
        if (parseError) throw parseError;
        sql = (template as HandlebarsTemplateDelegate)(this.context(req));
      } catch (error) {
        state.problems.push(templateProblem(error, req));
      } finally {
        this.state = undefined;
      }
      const map = state.problems.length === 0 ? this.sourceMap(marked, req, sql, bodyLines) : undefined;
      return {
        sql,
        ...(map ? { map } : {}),
        refs: state.refs,
        sources: [...state.sources],
        problems: state.problems,
      };
    };
  }

  /** `{{this}}` is the context itself in Handlebars: its text is the model's relation. */
  private context(req: RenderRequest): object {
    return {
      is_incremental: req.isIncremental,
      toString: () => req.self ?? this.problem("{{this}} is only available in models"),
    };
  }

  /**
   * Renders the template again with line markers and reads the map from where they land. A side
   * product: the SQL that runs is the plain rendering, and a marked one that differs gives no map.
   */
  private sourceMap(
    marked: HandlebarsTemplateDelegate,
    req: RenderRequest,
    sql: string,
    bodyLines: string[],
  ): SqlSourceMap | undefined {
    const resolve = (slot: number, line: number): SourceLine => {
      if (slot === 0) return { file: req.file, line: req.firstLine + line, text: bodyLines[line] ?? "" };
      const partial = this.partialSources[slot - 1];
      return { file: partial?.file ?? req.file, line: line + 1, text: partial?.lines[line] ?? "" };
    };
    this.state = { req, refs: [], sources: new Set(), problems: [], partials: [], marking: true };
    try {
      return buildSqlSourceMap(marked(this.context(req)), sql, resolve);
    } catch {
      return undefined;
    } finally {
      this.state = undefined;
    }
  }
}

/** Handlebars errors carry their line in different places; bring them to `file:line: message`. */
function templateProblem(error: unknown, req: RenderRequest): CompileProblem {
  const e = error as Error & { lineNumber?: number };
  let message = e.message ?? String(error);
  let line: number | undefined;
  const parse = /^Parse error on line (\d+):\n[\s\S]*\n(.*)$/.exec(message);
  if (parse) {
    line = Number(parse[1]);
    message = `template syntax: ${parse[2]}`;
  } else {
    const strict = /^"(.+)" not defined in [\s\S]* - (\d+):\d+$/.exec(message);
    if (strict) {
      line = Number(strict[2]);
      message = `"${strict[1]}" is not defined (not a helper, partial or variable)`;
    } else if (e.lineNumber) {
      line = e.lineNumber;
      message = message.replace(/ - \d+:\d+$/, "");
    }
    message = `template: ${message}`;
  }
  return { file: req.file, ...(line ? { line: req.firstLine + line - 1 } : {}), message };
}
