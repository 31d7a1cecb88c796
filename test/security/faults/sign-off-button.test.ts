import { faultMatrix } from "./matrix.js";

faultMatrix("Sign off button");
