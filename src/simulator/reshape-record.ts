import type { ApiRecord } from "./generate-attempts.ts";
import { pythonStringRepr } from "./python-repr.ts";

// A Python literal value in a dict repr: a string (either quote), a number, True/False/None.
const PY_VALUE = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|True|False|None`;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `key` or `field.key`, where field holds a Python dict literal (passback_params). */
function split(path: string): { field: string; key?: string } {
  const dot = path.indexOf(".");
  return dot < 0 ? { field: path } : { field: path.slice(0, dot), key: path.slice(dot + 1) };
}

/** The record with key `from` renamed `to` (its place kept); inside the dict text for `field.key`. */
export function renameKey(record: ApiRecord, from: string, to: string): ApiRecord {
  const { field, key } = split(from);
  if (key === undefined) {
    if (!(field in record)) return record;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k === field ? to : k, v]));
  }
  const text = record[field];
  if (typeof text !== "string") return record;
  const newKey = split(to).key ?? to;
  return {
    ...record,
    [field]: text.replace(`${pythonStringRepr(key)}: `, `${pythonStringRepr(newKey)}: `),
  };
}

/** A JSON value of another type: strings become numbers (their length), the rest strings. */
function retyped(v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v === "string") return v.length;
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** A Python literal of another type, as retyped() does it: 'abc' → 3, 1 → '1', True → 'True'. */
function retypedPython(literal: string): string {
  if (literal === "None") return literal;
  if (literal.startsWith("'") || literal.startsWith('"')) return String(literal.length - 2);
  return pythonStringRepr(literal);
}

/** The record with the value of `key` (or `field.key` inside the dict text) of another JSON type. */
export function retypeKey(record: ApiRecord, path: string): ApiRecord {
  const { field, key } = split(path);
  if (key === undefined) return field in record ? { ...record, [field]: retyped(record[field]) } : record;
  const text = record[field];
  if (typeof text !== "string") return record;
  const re = new RegExp(`(${escapeRegExp(pythonStringRepr(key))}: )(${PY_VALUE})`);
  return {
    ...record,
    [field]: text.replace(re, (_, head: string, value: string) => head + retypedPython(value)),
  };
}
