// Accessibility checks with axe-core, evaluated in the page (playwright-core has no axe integration of
// its own; @axe-core/playwright needs a newer Node than ours). The app's Content-Security-Policy
// (script-src 'self') rightly refuses an inline <script>, so the source runs through page.evaluate,
// which the DevTools protocol executes outside the page's CSP. Each check runs in the light and the
// dark colour scheme, emulated with prefers-color-scheme.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import type { AxeResults, default as Axe } from "axe-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** What axe checks: WCAG 2.0, 2.1 and 2.2 levels A and AA, and its best practices. */
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

type Violation = AxeResults["violations"][number];

/** "color-contrast (serious): .member-busy — Fix any of the following: …", one line per element. */
function describe(violations: Violation[]): string {
  return violations
    .flatMap((v) =>
      v.nodes.map((node) => `${v.id} (${v.impact}): ${node.target.join(" ")} — ${node.failureSummary}`),
    )
    .join("\n");
}

async function violations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const results = await page.evaluate(
    // axe is a global in the page once its source has run.
    (tags) =>
      (window as unknown as { axe: typeof Axe }).axe.run(document, {
        runOnly: { type: "tag", values: tags },
      }),
    TAGS,
  );
  return results.violations;
}

/**
 * Throws unless axe finds nothing on the page as it is now, in light and in dark. Leaves the page in
 * the light scheme. `where` names the screen in the failure message.
 */
export async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const list = await violations(page);
    if (list.length) found.push(`${where}, ${colorScheme}:\n${describe(list)}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  if (found.length) throw new Error(`axe-core found accessibility violations\n${found.join("\n")}`);
}
