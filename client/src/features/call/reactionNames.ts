// What each reaction is called (for its menu item and for screen readers) and how it is drawn: Twemoji's
// SVG of it (@twemoji/svg; graphics CC-BY 4.0, Twitter and contributors), bundled with the app, so the
// faces are the same on every machine, colour emoji font or not, and nothing is fetched from elsewhere.
import type { CallReaction } from "@videochat/protocol";
import thumbsUp from "@twemoji/svg/1f44d.svg?url";
import heart from "@twemoji/svg/2764.svg?url";
import laugh from "@twemoji/svg/1f602.svg?url";
import wow from "@twemoji/svg/1f62e.svg?url";
import clap from "@twemoji/svg/1f44f.svg?url";
import party from "@twemoji/svg/1f389.svg?url";
import { t } from "../../i18n";

const KEYS: Record<CallReaction, string> = {
  "👍": "thumbsUp",
  "❤️": "heart",
  "😂": "laugh",
  "😮": "wow",
  "👏": "clap",
  "🎉": "party",
};

/** "Thumbs up", "Heart", … in the page's language. */
export function reactionName(reaction: CallReaction): string {
  return t(`call.reactionNames.${KEYS[reaction]}`);
}

const IMAGES: Record<CallReaction, string> = {
  "👍": thumbsUp,
  "❤️": heart,
  "😂": laugh,
  "😮": wow,
  "👏": clap,
  "🎉": party,
};

/** The URL of the reaction's picture (an SVG the build serves with the app). */
export function reactionImage(reaction: CallReaction): string {
  return IMAGES[reaction];
}
