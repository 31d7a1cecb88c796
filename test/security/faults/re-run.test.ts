import { faultMatrix } from "./matrix.js";

faultMatrix("re-run");
