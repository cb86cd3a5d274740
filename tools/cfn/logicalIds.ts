/**
 * CloudFormation logical IDs from Pulumi names: letters and digits only, each word
 * capitalised (`thumbnails-dev-source` → `ThumbnailsDevSource`). Pulumi names are unique per
 * type, logical IDs per template, so clashes are refused rather than renumbered (a renumbered
 * ID would silently swap resources between synths).
 */
import { SynthError } from "./errors";

export function toLogicalId(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const id = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(id) || id.length > 255) {
    throw new SynthError(
      name,
      "",
      `cannot make a CloudFormation logical ID (letters and digits, starting with a letter, at most 255) from "${name}"`,
    );
  }
  return id;
}

/** Records which subject owns each logical ID and refuses a second owner. */
export class LogicalIds {
  private readonly owners = new Map<string, string>();

  claim(id: string, owner: string): string {
    const existing = this.owners.get(id);
    if (existing !== undefined && existing !== owner) {
      throw new SynthError(owner, "", `its logical ID ${id} is already used by ${existing}; give one of them a different Pulumi name`);
    }
    this.owners.set(id, owner);
    return id;
  }

  has(id: string): boolean {
    return this.owners.has(id);
  }
}
