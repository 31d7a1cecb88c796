import { faultMatrix } from "./matrix.js";

faultMatrix("merge group");
