import { faultMatrix } from "./matrix.js";

faultMatrix("opened");
