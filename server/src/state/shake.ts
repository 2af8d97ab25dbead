// Only the prelude helpers a script uses. Redis runs a script's whole text on every call, so each of
// the prelude's ~30 local functions was a closure built on every call: about 11 µs of Redis CPU per
// Store step whatever the step did (an empty script costs 7 µs; with the whole prelude 18 µs), a third
// of a room message's step (docs/performance-floor.md). The prelude (prelude.lua.ts) is a list of top-level
// `local function name(...)` definitions, each ending with `end` at the start of a line (or on its
// own line), preceded by comments; helpers keep their order, so each is defined before its callers.

interface Helper {
  name: string;
  text: string;
}

/** The prelude's helpers in order, or null when a line is not one of the shapes above. */
function parse(prelude: string): { head: string; helpers: Helper[] } | null {
  const head: string[] = [];
  const helpers: Helper[] = [];
  let comments: string[] = [];
  let open: { name: string; lines: string[] } | null = null;
  for (const line of prelude.split("\n")) {
    if (open) {
      open.lines.push(line);
      if (line === "end") {
        helpers.push({ name: open.name, text: open.lines.join("\n") });
        open = null;
      }
      continue;
    }
    const start = /^local function (\w+)\(/.exec(line);
    if (start) {
      const lines = [...comments, line];
      comments = [];
      if (/ end$/.test(line)) helpers.push({ name: start[1]!, text: lines.join("\n") });
      else open = { name: start[1]!, lines };
    } else if (line.startsWith("--")) comments.push(line);
    else if (/^local \w+ = /.test(line)) head.push(line);
    else if (line.trim() !== "") return null;
  }
  return open ? null : { head: head.join("\n"), helpers };
}

/** `body` after the prelude's head and the helpers it uses, directly or through other helpers. */
export function shaken(prelude: string, body: string): string {
  const parsed = parse(prelude);
  if (!parsed) return `${prelude}\n${body}`;
  const needed = new Set<string>();
  const visit = (text: string) => {
    for (const helper of parsed.helpers) {
      if (needed.has(helper.name) || !new RegExp(`\\b${helper.name}\\b`).test(text)) continue;
      needed.add(helper.name);
      visit(helper.text);
    }
  };
  visit(body);
  const used = parsed.helpers.filter((helper) => needed.has(helper.name)).map((helper) => helper.text);
  return [parsed.head, ...used, body].join("\n");
}
