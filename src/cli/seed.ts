import { notBuilt } from "./not-built.ts";

export default notBuilt("seed", "Load seeds/*.csv into tables", 2);
