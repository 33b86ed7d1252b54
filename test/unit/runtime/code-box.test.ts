import { describe, expect, it } from 'vitest';
import { codeBoxHeight, textareaBoxStyle, textareaRows } from '../../../src/runtime/editor/box.ts';

describe('the code box (textarea first, Monaco after, one size)', () => {
  it('grows with its content between 8 and 28 lines of 19 px, padding and border included', () => {
    // 8 lines: 8 × 19 + 2 × 8 padding + 2 × 1 border.
    expect(codeBoxHeight(0)).toBe(170);
    expect(codeBoxHeight(168)).toBe(170);
    expect(codeBoxHeight(10 * 19 + 16)).toBe(208);
    expect(codeBoxHeight(28 * 19 + 16)).toBe(550);
    expect(codeBoxHeight(40 * 19 + 16)).toBe(550);
    expect(codeBoxHeight(Infinity)).toBe(550);
  });

  it('gives a textarea the rows of its lines, within the same bounds, where the browser cannot size it by content', () => {
    expect(textareaRows('one line')).toBe(8);
    expect(textareaRows(Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n'))).toBe(12);
    expect(textareaRows('x\n'.repeat(40))).toBe(28);
  });

  it('styles the textarea as Monaco lays out: font size, line height, padding right of the gutter, bounds', () => {
    expect(textareaBoxStyle()).toBe(
      'box-sizing: border-box; font-size: 14px; line-height: 19px; padding: 8px 16px 8px calc(3ch + 26px); field-sizing: content; min-height: 170px; max-height: 550px',
    );
  });
});
