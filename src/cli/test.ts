import { notBuilt } from "./not-built.ts";

export default notBuilt("test", "Run the data tests", 4);
