import { notBuilt } from "./not-built.ts";

export default notBuilt("run", "Run the whole pipeline: extract, models, tests, exports", 6);
