/**
 * `npm start`: check the flags first (a typo should not cost a build), build the
 * site if it is missing or stale, then run the companion server in this process.
 */
import { configFromArgvOrExit } from '../server/cli.ts';
import { main, stopWithParent } from '../server/main.ts';
import { buildIfStale } from './site-build.ts';

const argv = process.argv.slice(2);
configFromArgvOrExit(argv);
// While the site builds there is nothing to shut down gracefully: a signal, or npm and its
// shell gone (npm does not pass SIGTERM through `sh -c`), ends the build and this process.
const quit = (): never => process.exit(143);
process.on('SIGTERM', quit);
process.on('SIGHUP', quit);
const cancel = stopWithParent(quit);
const built = await buildIfStale();
process.off('SIGTERM', quit);
process.off('SIGHUP', quit);
cancel();
if (!built) {
  process.stderr.write('The site failed to build; see the errors above.\n');
  process.exit(1);
}
await main(argv);
