import { faultMatrix } from "./matrix.js";

faultMatrix("review submitted");
