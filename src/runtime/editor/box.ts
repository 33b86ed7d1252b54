/**
 * The code box, one geometry for both of its forms: the plain textarea a lesson
 * shows first and the Monaco editor that replaces it as the playground comes
 * into view. The same font, line height, padding, gutter, wrapping width, line
 * breaks (monaco-setup.ts) and height rule, so the swap moves nothing: neither
 * the code sideways nor the Run button below it (it moved by up to 112 px at
 * 1280 px and 229 px at 375 px).
 */
export const CODE_BOX = {
  fontSize: 14,
  lineHeight: 19,
  /** Above the first line and below the last. */
  padding: 8,
  border: 1,
  /** The box grows with its (wrapped) content between these, then scrolls. */
  minLines: 8,
  maxLines: 28,
  /** Monaco's gutter: line numbers at least this many digits wide … */
  lineNumberDigits: 3,
  /** … then decorations and folding controls (Monaco adds 16 px for folding). */
  lineDecorationsWidth: 10,
  foldingWidth: 16,
  /** Monaco wraps short of its vertical scrollbar and leaves 2 px for the cursor. */
  scrollbarWidth: 14,
  cursorRoom: 2,
} as const;

const { fontSize, lineHeight, padding, border, minLines, maxLines } = CODE_BOX;

/** The box's height, border included, for content `contentHeight` px tall (padding included). */
export function codeBoxHeight(contentHeight: number): number {
  const least = minLines * lineHeight + 2 * padding;
  const most = maxLines * lineHeight + 2 * padding;
  return Math.min(Math.max(contentHeight, least), most) + 2 * border;
}

/** Rows for a textarea of `code` where the browser cannot size it by its content. */
export function textareaRows(code: string): number {
  return Math.min(Math.max(code.split('\n').length, minLines), maxLines);
}

/**
 * The textarea's own part of the box (colours and border stay in each component's CSS): its height
 * follows its wrapped content (`field-sizing`) between the same bounds as Monaco's, and its text sits
 * where Monaco's will, right of the gutter (`ch` is the digit width Monaco measures line numbers with).
 */
export function textareaBoxStyle(): string {
  const { lineNumberDigits, lineDecorationsWidth, foldingWidth, scrollbarWidth, cursorRoom } = CODE_BOX;
  return [
    'box-sizing: border-box',
    `font-size: ${fontSize}px`,
    `line-height: ${lineHeight}px`,
    `padding: ${padding}px ${scrollbarWidth + cursorRoom}px ${padding}px calc(${lineNumberDigits}ch + ${lineDecorationsWidth + foldingWidth}px)`,
    'field-sizing: content',
    `min-height: ${codeBoxHeight(0)}px`,
    `max-height: ${codeBoxHeight(Infinity)}px`,
  ].join('; ');
}
