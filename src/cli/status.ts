import { notBuilt } from "./not-built.ts";

export default notBuilt("status", "Show the last runs and the watermark", 6);
