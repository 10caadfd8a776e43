/** A process listening on a TCP port. */
export interface PortListener {
  pid: number;
  command: string;
}

/**
 * Lists the processes listening on TCP `port` (any address), this process excluded, using `lsof`.
 * @returns the listeners, or undefined when lsof is not installed.
 */
export function listPortListeners(port: number): PortListener[] | undefined {
  const lsof = Bun.which("lsof");
  if (!lsof) return undefined;
  // -F pc: machine-readable "p<pid>" / "c<command>" lines.
  const p = Bun.spawnSync([lsof, "-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fpc"], { stdout: "pipe", stderr: "ignore" });
  const listeners: PortListener[] = [];
  let current: PortListener | undefined;
  for (const line of p.stdout.toString().split("\n")) {
    if (line.startsWith("p")) {
      const pid = Number(line.slice(1));
      current = listeners.find((l) => l.pid === pid) ?? { pid, command: "" };
      if (pid !== process.pid && !listeners.includes(current)) listeners.push(current);
    } else if (line.startsWith("c") && current) current.command = line.slice(1);
  }
  return listeners;
}
