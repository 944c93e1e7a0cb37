import { notBuilt } from "../not-built.ts";

export default notBuilt("dev api", "Serve the API simulator", 3);
