/**
 * The `openclaw` binary: `openclaw gateway` runs the daemon, every other command is a client.
 * The daemon is imported lazily so client commands start without loading the server.
 */
import { createRootCommand, runCli } from "./cli/index.ts";
import { VERSION_LINE } from "./version.ts";

const root = createRootCommand({
  runGateway: async (flags) => (await import("./gateway/daemon.ts")).runDaemon(flags),
});
const code = await runCli(root, process.argv.slice(2), {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
}, VERSION_LINE);
process.exit(code);
