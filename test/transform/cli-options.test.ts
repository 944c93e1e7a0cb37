import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.ts";
import { parseVars } from "../../src/transform/cli-options.ts";
import { sqlLiteral } from "../../src/transform/sql-literal.ts";

describe("--vars and var literals", () => {
  it("reads JSON or YAML mappings and rejects anything else with a usage error", () => {
    expect(parseVars('{"since": "2024-01-01", "n": 3}')).toEqual({ since: "2024-01-01", n: 3 });
    expect(parseVars("since: 2024-01-01\nflag: true")).toEqual({ since: "2024-01-01", flag: true });
    expect(parseVars(undefined)).toBeUndefined();
    expect(parseVars("  ")).toBeUndefined();
    expect(() => parseVars("[1, 2]")).toThrow(ConfigError);
    expect(() => parseVars("{a: [")).toThrow(/--vars: not JSON or YAML/);
  });

  it("renders values as SQL literals", () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral(3.5)).toBe("3.5");
    expect(sqlLiteral(true)).toBe("TRUE");
    expect(sqlLiteral(null)).toBe("NULL");
    expect(sqlLiteral(["a", "b"])).toBe("'a','b'");
    expect(sqlLiteral(Number.NaN)).toBe("'NaN'");
  });
});
