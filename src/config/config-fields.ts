import { z } from "zod";

/** One key of project.yml as the reference shows it: a leaf, or a section holding more keys. */
export interface ConfigField {
  /** Dotted key path, e.g. `exports.email.to`. */
  path: string;
  description?: string;
  /** The default as YAML would spell it; undefined when the key has none (unset is allowed). */
  defaultText?: string;
  /** A leaf's type in words (`integer ≥ 0`, `text`, `"ru" \| "en"`); undefined for a section. */
  type?: string;
  /** A section's keys, in schema order; undefined for a leaf. */
  children?: ConfigField[];
}

// zod 4's definition of a schema node: only what the walk reads.
interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Walks the zod schema of project.yml into its keys. Wrappers (default, prefault, optional,
 * preprocess pipes) are looked through: their description and default belong to the key.
 */
export function configFields(schema: z.ZodObject, prefix = ""): ConfigField[] {
  return Object.entries(schema.shape).map(([key, value]) => field(`${prefix}${key}`, value as z.ZodType));
}

function field(path: string, schema: z.ZodType): ConfigField {
  let node = schema;
  let description: string | undefined;
  let defaultText: string | undefined;
  for (;;) {
    description ??= z.globalRegistry.get(node)?.description;
    const def = defOf(node);
    if (def.type === "default" && def.innerType) {
      defaultText ??= yamlText(def.defaultValue);
      node = def.innerType;
    } else if ((def.type === "prefault" || def.type === "optional") && def.innerType) {
      node = def.innerType;
    } else if (def.type === "pipe" && def.out) {
      // z.preprocess(fn, schema): the key's type is what the pipe ends in.
      node = def.out;
    } else {
      break;
    }
  }
  const base = { path, ...(description ? { description } : {}), ...(defaultText ? { defaultText } : {}) };
  if (defOf(node).type === "object") {
    return { ...base, children: configFields(node as z.ZodObject, `${path}.`) };
  }
  const json = z.toJSONSchema(node, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return { ...base, type: typeText(json) };
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: JsonSchema;
  additionalProperties?: unknown;
}

/** A JSON schema node in words, the way project.yml's readers think of values. */
function typeText(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" \\| ");
  switch (schema.type) {
    case "string":
      return schema.format === "uri" ? "URL" : "text";
    case "integer":
    case "number": {
      const word = schema.type === "integer" ? "integer" : "number";
      const max =
        schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
      if (schema.minimum !== undefined && max !== undefined) return `${word} ${schema.minimum}–${max}`;
      if (schema.exclusiveMinimum !== undefined) return `${word} > ${schema.exclusiveMinimum}`;
      if (schema.minimum !== undefined) return `${word} ≥ ${schema.minimum}`;
      return word;
    }
    case "boolean":
      return "true \\| false";
    case "array":
      return `list of ${schema.items ? typeText(schema.items) : "values"}`;
    case "object":
      return "map of names to values";
    default:
      return "any";
  }
}

/** A default as it would be written in project.yml: `logs`, `600`, `[a, b]`, `{}`. */
function yamlText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return `[${value.map((v) => yamlText(v)).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return Object.keys(value).length === 0 ? "{}" : JSON.stringify(value);
  return String(value);
}
