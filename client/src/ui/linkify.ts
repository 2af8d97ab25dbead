// Links in chat messages: plain text cut into text and link pieces, rendered by MessageText as Vue
// nodes (never as HTML). linkify-it finds them, fuzzy ones included ("example.com", "bob@example.com").
import { LinkifyIt } from "linkify-it";

export type TextPiece = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

/** Only these open from a message: no javascript:, data:, ftp: or protocol-relative links. */
const ALLOWED_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

// "//host" links would inherit the page's protocol and ftp: has no place in a chat.
const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: false })
  .add("ftp:", null)
  .add("//", null);

/** The href to use for a match, or null when it is not a link we open (bad protocol, unparsable). */
function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return ALLOWED_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Splits a message into text and links, in order; joined, the pieces' text is the message. */
export function linkPieces(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const match of linkify.match(text) ?? []) {
    const href = safeHref(match.url);
    if (!href) continue;
    if (match.index > at) pieces.push({ kind: "text", text: text.slice(at, match.index) });
    pieces.push({ kind: "link", text: text.slice(match.index, match.lastIndex), href });
    at = match.lastIndex;
  }
  if (at < text.length) pieces.push({ kind: "text", text: text.slice(at) });
  return pieces;
}
