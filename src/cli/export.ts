import { notBuilt } from "./not-built.ts";

export default notBuilt("export", "Export the day's summary to Google Sheets and email", 5);
