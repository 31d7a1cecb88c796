import { faultMatrix } from "./matrix.js";

faultMatrix("synchronize");
