/**
 * Caps a local container's memory the way Lambda does: the whole process (every thread, Buffer
 * and WASM heap) is charged to a Linux memory cgroup whose limit is the function's memory, and
 * the kernel kills the process when it goes past it. Without the cap a container that would be
 * killed in AWS just grows here, and the function's memory guard is never put to the test.
 *
 * Needs a writable cgroup hierarchy (cgroup v2, or v1's memory controller), which in practice
 * means root or a delegated cgroup; elsewhere (macOS, Windows, unprivileged Linux) the
 * containers run uncapped and `unavailable` says why.
 */
import * as fs from "fs";
import * as path from "path";

export type MemoryCap = { available: true; hierarchy: "v1" | "v2"; directory: string } | { available: false; why: string };

/** One cgroup per container, removed when it exits. */
export interface ContainerCgroup {
  /** Where the child writes its own pid before it execs node, so even its first allocation is charged. */
  procsFile: string;
  /** The kernel killed a process of this group for going past its limit. */
  oomKilled(): boolean;
  remove(): void;
}

const CGROUP_ROOT = "/sys/fs/cgroup";

/** The directory under which this process may make child cgroups, or why it cannot. */
export function detectMemoryCap(root = CGROUP_ROOT, selfCgroup = "/proc/self/cgroup"): MemoryCap {
  if (process.platform !== "linux") return { available: false, why: `cgroups are a Linux feature (this is ${process.platform})` };
  let membership: string;
  try {
    membership = fs.readFileSync(selfCgroup, "utf8");
  } catch (err) {
    return { available: false, why: `cannot read ${selfCgroup}: ${(err as Error).message}` };
  }
  const lines = membership.split("\n").filter(Boolean);
  const v1 = lines.map((l) => l.split(":")).find(([, controllers]) => controllers.split(",").includes("memory"));
  const candidates: Array<{ hierarchy: "v1" | "v2"; directory: string; limitFile: string }> = [];
  if (v1) candidates.push({ hierarchy: "v1", directory: path.join(root, "memory", v1[2]), limitFile: "memory.limit_in_bytes" });
  const v2 = lines.map((l) => l.split(":")).find(([id, controllers]) => id === "0" && controllers === "");
  if (v2) candidates.push({ hierarchy: "v2", directory: path.join(root, v2[2]), limitFile: "memory.max" });
  const problems: string[] = [];
  for (const candidate of candidates) {
    const probe = path.join(candidate.directory, `thumbnail-probe-${process.pid}`);
    try {
      fs.mkdirSync(probe);
      try {
        if (!fs.existsSync(path.join(probe, candidate.limitFile)))
          throw new Error(`no ${candidate.limitFile} (memory controller not enabled here)`);
        fs.writeFileSync(path.join(probe, candidate.limitFile), String(64 * 2 ** 20));
      } finally {
        fs.rmdirSync(probe);
      }
      return { available: true, hierarchy: candidate.hierarchy, directory: candidate.directory };
    } catch (err) {
      problems.push(`${candidate.hierarchy} at ${candidate.directory}: ${(err as Error).message}`);
    }
  }
  return { available: false, why: problems.length ? problems.join("; ") : "this process belongs to no memory cgroup" };
}

/** A new cgroup limited to `memoryMb`, for one container. */
export function createContainerCgroup(cap: MemoryCap & { available: true }, name: string, memoryMb: number): ContainerCgroup {
  const directory = path.join(cap.directory, name);
  fs.mkdirSync(directory);
  const bytes = String(memoryMb * 2 ** 20);
  if (cap.hierarchy === "v1") {
    fs.writeFileSync(path.join(directory, "memory.limit_in_bytes"), bytes);
  } else {
    fs.writeFileSync(path.join(directory, "memory.max"), bytes);
    // Lambda has no swap: without this a v2 group under memory.max would swap instead of dying.
    const swap = path.join(directory, "memory.swap.max");
    if (fs.existsSync(swap)) fs.writeFileSync(swap, "0");
  }
  return {
    procsFile: path.join(directory, "cgroup.procs"),
    oomKilled() {
      try {
        const file = cap.hierarchy === "v1" ? "memory.oom_control" : "memory.events";
        const match = /^oom_kill (\d+)$/m.exec(fs.readFileSync(path.join(directory, file), "utf8"));
        return Boolean(match && Number(match[1]) > 0);
      } catch {
        return false;
      }
    },
    remove() {
      // Called once the container has exited; the kernel may take a moment to let go of the
      // group (EBUSY), so a few tries. An empty leftover group holds no memory and no processes.
      const attempt = (left: number) => {
        try {
          fs.rmdirSync(directory);
        } catch {
          if (left > 0) setTimeout(() => attempt(left - 1), 50).unref();
        }
      };
      attempt(5);
    },
  };
}
