// Every client test file: Testing Library's findBy*/waitFor give up after 10 s instead of their default
// 1 s. They return as soon as the state is there, so an idle machine is no slower; a machine at load 25-40
// (seen in CI and with helpers running) took over a second to render a ring dialog, and a 1 s bound then
// failed a test whose state was on its way. The test's own bound (testTimeout, vitest.config.ts) stays.
import { configure } from "@testing-library/vue";

configure({ asyncUtilTimeout: 10_000 });
