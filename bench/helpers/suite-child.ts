/**
 * One benchmark suite in its own process: `node bench/helpers/suite-child.ts <file>`
 * imports the suite, runs it and prints its results as one marked JSON line for
 * bench/run.ts. A file rather than `node --input-type=module -e`, because that
 * flag is inherited by every worker and child the suite starts (lab engines,
 * load generators) and stops them at birth.
 */
import { pathToFileURL } from 'node:url';
import { RESULT_MARK } from './marks.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/helpers/suite-child.ts <bench file>\n');
  process.exit(2);
}
const suite = (await import(pathToFileURL(file).href)) as { run(): Promise<unknown> };
const results = await suite.run();
process.stdout.write(`${RESULT_MARK}${JSON.stringify(results)}\n`);
process.exit(0);
