import { notBuilt } from "../not-built.ts";

export default notBuilt("model list", "List the selected models in build order", 4);
