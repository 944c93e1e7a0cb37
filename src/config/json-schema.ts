import { z } from "zod";
import { projectSchema } from "./project-schema.ts";

/** project.yml's JSON schema for editors; generated from the zod schema, never written by hand. */
export function projectJsonSchema(): Record<string, unknown> {
  // "input": defaults make keys optional in the file, which is what an editor should suggest.
  const schema = z.toJSONSchema(projectSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: "elt project.yml" };
}
