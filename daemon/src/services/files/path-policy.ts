// Owns which real paths the files procedures may touch: inside transfer.allowedPaths, outside deniedPaths and the
// data folder. Paths are compared by whole segments after both sides are resolved to real paths; deny wins.
import path from 'node:path';
import { BadInput, PathDenied } from '../../errors.js';
import { checkPathText, showPath } from './path-text.js';
import { resolveRealPath, type RealPath } from './real-path.js';

export interface PathPolicyOptions {
  /** The transfer settings of the moment (config.yaml is re-read on change). */
  settings: () => { allowedPaths: readonly string[]; deniedPaths: readonly string[] };
  /** The data folder: always denied, whatever the config says. */
  dataFolder: string;
  /** The daemon user's home: `~` in requests and in config entries. */
  userHome: string;
  /**
   * Whether the allowed check ignores case and Unicode normalization (macOS and Windows file systems do).
   * The denied check always does: refusing a look-alike name is the safe direction.
   */
  caseInsensitive?: boolean;
}

/** A request resolved and admitted by the policy. */
export interface CheckedPath extends RealPath {
  /** What the caller asked for, for messages. */
  requested: string;
}

interface Root {
  /** As configured (with `~` expanded), for messages. */
  shown: string;
  /** Real path (deepest existing part resolved), split into segments. */
  segments: string[];
}

/** Case-folds a name the way case-insensitive file systems compare names (NFC, then full case folding). */
function fold(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

function segmentsOf(p: string): string[] {
  return p.split('/').filter((s) => s !== '');
}

function isInside(child: string[], root: string[], same: (a: string, b: string) => boolean) {
  return root.length <= child.length && root.every((seg, i) => same(seg, child[i] ?? ''));
}

const exact = (a: string, b: string): boolean => a === b;
const folded = (a: string, b: string): boolean => a === b || fold(a) === fold(b);

export class PathPolicy {
  private readonly caseInsensitive: boolean;

  constructor(private readonly opts: PathPolicyOptions) {
    this.caseInsensitive =
      opts.caseInsensitive ?? (process.platform === 'darwin' || process.platform === 'win32');
  }

  /**
   * Checks the text of `requested`, resolves it to its real path and admits it, or throws: BadInput for a
   * malformed path, PathDenied (FORBIDDEN) naming the rule. A path outside the shared folders gets the same
   * message whether or not it exists.
   */
  async resolve(requested: string): Promise<CheckedPath> {
    const absolute = checkPathText(requested, this.opts.userHome);
    const real = await resolveRealPath(absolute);
    const checked = { ...real, requested };
    // `..` below a missing folder: judge the part that exists first, so nothing outside is described.
    await this.check(real.dotted ? real.existing : real.full, requested);
    if (real.dotted) {
      throw new BadInput(
        `The path ${showPath(requested)} goes up (..) from a folder that does not exist; give the path without "..".`,
      );
    }
    return checked;
  }

  /** Throws PathDenied unless the real path `full` is inside an allowed root and outside every denied one. */
  async check(full: string, requested: string): Promise<void> {
    const target = segmentsOf(full);
    const allowed = await this.roots(this.opts.settings().allowedPaths);
    const same = this.caseInsensitive ? folded : exact;
    if (!allowed.some((root) => isInside(target, root.segments, same))) {
      throw new PathDenied(
        `${showPath(requested)} is outside the folders this daemon shares (transfer.allowedPaths: ${[...new Set(allowed.map((r) => r.shown))].join(', ') || 'none'}). Choose a path inside them, or add a folder to transfer.allowedPaths in config.yaml.`,
      );
    }
    const denied = [
      ...(await this.roots(this.opts.settings().deniedPaths)),
      ...(await this.roots([this.opts.dataFolder], 'the Loopsy data folder')),
    ];
    const hit = denied.find((root) => isInside(target, root.segments, folded));
    if (hit) {
      throw new PathDenied(
        `${showPath(requested)} is inside a denied path (${hit.shown}); files there are never shared (transfer.deniedPaths).`,
      );
    }
  }

  /** `~` for the user's home, so messages stay short and do not spell out the account name. */
  shown(p: string): string {
    const home = this.opts.userHome;
    if (p === home) return '~';
    return p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p;
  }

  private async roots(entries: readonly string[], label?: string): Promise<Root[]> {
    const out: Root[] = [];
    for (const entry of entries) {
      const expanded =
        entry === '~' || entry.startsWith('~/') ? this.opts.userHome + entry.slice(1) : entry;
      // The config schema refuses relative entries; skipping one here would silently share less, never more.
      if (!path.isAbsolute(expanded)) continue;
      const lexical = path.resolve(expanded);
      const shown = label ? `${this.shown(lexical)}, ${label}` : this.shown(lexical);
      out.push({ shown, segments: segmentsOf(lexical) });
      try {
        const real = await resolveRealPath(lexical);
        if (real.full !== lexical) out.push({ shown, segments: segmentsOf(real.full) });
      } catch {
        // Unresolvable (a permission problem above it): the lexical form still counts.
      }
    }
    return out;
  }
}
