// npm run console:password — hashes a password for the support console: prints the
// CONSOLE_PASSWORD_HASH line to put in the environment (.env). The password is read from
// standard input (typed, or piped), never from the command line, which `ps` would show.
import readline from "node:readline";
import { Writable } from "node:stream";
import { hashPassword } from "../src/console/password.ts";

// Typed at a terminal, it is not echoed (readline writes its echo to a stream that drops it).
const silent = new Writable({ write: (_chunk, _enc, done) => done() });
const rl = readline.createInterface({ input: process.stdin, output: silent, terminal: process.stdin.isTTY });
if (process.stdin.isTTY) process.stderr.write("Console password (at least 12 characters, not shown): ");
const password = await new Promise<string>((resolve) => {
  rl.once("line", resolve);
  rl.once("close", () => resolve("")); // end of input (or Ctrl-D) without a line
  rl.once("SIGINT", () => process.exit(130));
});
rl.close();
if (password.length < 12) {
  console.error("\nThe password must have at least 12 characters.");
  process.exit(1);
}
console.log(`CONSOLE_PASSWORD_HASH=${await hashPassword(password)}`);
