import { notBuilt } from "./not-built.ts";

export default notBuilt("extract", "Extract a time window from the API and land it raw", 3);
