import type { NetworkInterfaceInfo } from 'node:os';
import { CLASSROOM_PATHS } from '../../protocol/classroom.ts';
import { isLoopbackName } from '../core/origin.ts';

/**
 * The origins to give learners: every non-internal IPv4 address of this machine
 * for a wildcard bind, the bound address otherwise; bound to loopback (behind a
 * TLS proxy), the names given with --allow-host, over https.
 */
export function learnerOrigins(
  host: string,
  port: number,
  interfaces: Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>,
  allowHosts: readonly string[],
): string[] {
  if (isLoopbackName(host)) return allowHosts.map((name) => `https://${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}`);
  if (host !== '0.0.0.0' && host !== '::') return [`http://${host.includes(':') ? `[${host}]` : host}:${port}`];
  const origins: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (info.internal || info.family !== 'IPv4') continue;
      origins.push(`http://${info.address}:${port}`);
    }
  }
  return [...new Set(origins)];
}

/** The classroom lines of the start-up banner; the teacher key appears here and nowhere else. */
export function classroomBanner(options: { origins: readonly string[]; localUrl: string; teacherKey: string; behindProxy: boolean }): string[] {
  const lines = ['', 'Classroom mode: learners sign in; each one\'s runs, labs and inspector are theirs alone.'];
  if (options.origins.length === 0) {
    lines.push(
      options.behindProxy
        ? '  Give learners your TLS proxy\'s address (name it with --allow-host so requests for it are accepted).'
        : '  No network address found: connect this machine to the class\'s network and restart.',
    );
  } else {
    lines.push('  Give learners one of these addresses:');
    for (const origin of options.origins) lines.push(`    ${origin}${CLASSROOM_PATHS.signInPage}`);
  }
  lines.push(
    `  Your page (list who is connected, watch a run): ${options.localUrl}${CLASSROOM_PATHS.teacherPage}`,
    `  Teacher key (shown once; keep it off the projector): ${options.teacherKey}`,
  );
  return lines;
}
