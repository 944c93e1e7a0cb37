import { notBuilt } from "../not-built.ts";

export default notBuilt(
  "model compile",
  "Render the selected models to target/compiled without a database",
  4,
);
