export { freePort } from "../../../scripts/cluster/processes.js";
