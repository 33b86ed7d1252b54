/**
 * `npm start`: check the flags first (a typo should not cost a build), build the
 * site if it is missing or stale, then run the companion server in this process.
 */
import { configFromArgvOrExit } from '../server/cli.ts';
import { main } from '../server/main.ts';
import { buildIfStale } from './site-build.ts';

const argv = process.argv.slice(2);
configFromArgvOrExit(argv);
if (!(await buildIfStale())) {
  process.stderr.write('The site failed to build; see the errors above.\n');
  process.exit(1);
}
await main(argv);
