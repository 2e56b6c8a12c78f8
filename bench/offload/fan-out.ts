import { exponential, type Random, randomInt } from '../random';
import { REMOTE_SERVERS } from './site';

// Federation is spiky: a new post is delivered to its followers' servers, which fetch its media
// (and, when it is boosted, the post and its author) within minutes — a popular post from
// thousands of servers. New posts appear at a steady rate; each has a reach drawn from a
// heavy-tailed (Pareto) distribution, and the servers still fetching it fade out exponentially.

/** A 30,000-account instance writes about 14,000 posts a day. */
const POST_INTERVAL_MS = 6_000;
/** Mean life of a fan-out: most fetches come within minutes of the post. */
const FAN_OUT_MEAN_MS = 5 * 60_000;
/** Posts older than this no longer draw fetches worth tracking. */
const TRACKED_MS = 6 * FAN_OUT_MEAN_MS;
/** Pareto reach: at least 20 servers, tail exponent 1.1, at most every known server. */
const MIN_REACH = 20;
const REACH_TAIL = 1.1;
/** Share of posts with media, and how many attachments they carry at most. */
const MEDIA_SHARE = 0.25;
const MAX_ATTACHMENTS = 4;

export interface FreshPost {
  /** 0, 1, 2... in order of creation. */
  index: number;
  createdAtMs: number;
  /** Servers that will fetch it. */
  reach: number;
  attachments: number;
}

export class FanOut {
  private readonly posts: FreshPost[] = [];
  private nextPostAtMs: number;
  private created = 0;

  constructor(
    private readonly random: Random,
    startMs: number,
  ) {
    this.nextPostAtMs = startMs + exponential(random, POST_INTERVAL_MS);
  }

  /** A recent post, picked in proportion to how many servers are still fetching it; null when none qualifies. */
  pick(nowMs: number, withMedia: boolean): FreshPost | null {
    this.advance(nowMs);
    let total = 0;
    const weights = this.posts.map((post) => {
      const weight = withMedia && post.attachments === 0 ? 0 : post.reach * Math.exp(-(nowMs - post.createdAtMs) / FAN_OUT_MEAN_MS);
      total += weight;
      return weight;
    });
    if (total === 0) return null;
    let target = this.random.next() * total;
    for (let index = 0; index < this.posts.length; index++) {
      target -= weights[index]!;
      if (target < 0) return this.posts[index]!;
    }
    return this.posts[this.posts.length - 1]!;
  }

  private advance(nowMs: number): void {
    while (this.nextPostAtMs <= nowMs) {
      const reach = Math.min(REMOTE_SERVERS, Math.round(MIN_REACH / (1 - this.random.next()) ** (1 / REACH_TAIL)));
      const attachments = this.random.next() < MEDIA_SHARE ? 1 + randomInt(this.random, MAX_ATTACHMENTS) : 0;
      this.posts.push({ index: this.created++, createdAtMs: this.nextPostAtMs, reach, attachments });
      this.nextPostAtMs += exponential(this.random, POST_INTERVAL_MS);
    }
    while (this.posts.length > 0 && this.posts[0]!.createdAtMs < nowMs - TRACKED_MS) this.posts.shift();
  }
}
