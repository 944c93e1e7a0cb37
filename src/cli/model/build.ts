import { notBuilt } from "../not-built.ts";

export default notBuilt("model build", "Build the selected models", 4);
