import { isCancellationError } from 'monaco-editor/base/common/errors';
import { BrowserClipboardService } from 'monaco-editor/platform/clipboard/browser/clipboardService';
import { SyncDescriptor } from 'monaco-editor/platform/instantiation/common/descriptors';

/**
 * Monaco's clipboard service, minus one false alarm.
 *
 * In a browser that says it is Safari (an iPhone, or Chromium emulating
 * one), Monaco starts a clipboard write on every click and key press, so
 * that a later Copy still counts as part of a user gesture, and cancels the
 * previous one each time. Safari rejects a cancelled write as
 * NotAllowedError, which Monaco expects and ignores; Chromium rejects it
 * with Monaco's own cancellation, which Monaco logs as "ERR Canceled:
 * Canceled": one console error per tap. Here the service's log drops exactly
 * that cancellation (Monaco's own marker, the one its onUnexpectedError
 * ignores everywhere else); every other error it reports still reaches the
 * console.
 */
class ClipboardServiceWithoutCancelNoise extends BrowserClipboardService {
  constructor(...services: unknown[]) {
    super(...services);
    const log = this.logService;
    this.logService = Object.create(log, {
      error: {
        value: (...args: unknown[]): void => {
          if (args.length === 1 && isCancellationError(args[0])) return;
          log.error(...args);
        },
      },
    }) as typeof log;
  }
}

/** The service override for StandaloneServices.initialize, keyed by Monaco's service id. */
export function clipboardOverride(): Record<string, unknown> {
  return { clipboardService: new SyncDescriptor(ClipboardServiceWithoutCancelNoise) };
}
