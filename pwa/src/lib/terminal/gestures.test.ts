import { describe, expect, it } from 'vitest';
import { TouchGestures, type GestureIntent } from './gestures.js';

function gestures(fontSize = 14, lineHeight = 20): { g: TouchGestures; font: { size: number } } {
  const font = { size: fontSize };
  const g = new TouchGestures({ lineHeight: () => lineHeight, fontSize: () => font.size });
  return { g, font };
}

describe('touch gestures on the terminal', () => {
  it('scrolls by whole lines, keeping the remainder across moves', () => {
    const { g } = gestures();
    expect(g.down([{ x: 100, y: 500 }])).toBe(true);
    expect(g.move([{ x: 100, y: 495 }])).toBeUndefined(); // inside the slop: still a press
    expect(g.move([{ x: 100, y: 470 }])).toEqual({ type: 'scroll', lines: 1 }); // 30 px up
    expect(g.active).toBe(true);
    expect(g.move([{ x: 100, y: 460 }])).toEqual({ type: 'scroll', lines: 1 }); // 10 carried + 10
    expect(g.move([{ x: 100, y: 520 }])).toEqual({ type: 'scroll', lines: -3 }); // 60 px down
  });

  it('reports a long press only when the finger stayed still', () => {
    const still = gestures().g;
    still.down([{ x: 10, y: 10 }]);
    still.move([{ x: 13, y: 12 }]);
    expect(still.held()).toEqual<GestureIntent>({ type: 'long-press' });

    const moved = gestures().g;
    moved.down([{ x: 10, y: 10 }]);
    moved.move([{ x: 10, y: 60 }]);
    expect(moved.held()).toBeUndefined();
  });

  it('pinches the font size in proportion to the finger distance, within bounds', () => {
    const { g, font } = gestures(14);
    expect(
      g.down([
        { x: 0, y: 0 },
        { x: 100, y: 0 },
      ]),
    ).toBe(false);
    expect(
      g.move([
        { x: 0, y: 0 },
        { x: 150, y: 0 },
      ]),
    ).toEqual({ type: 'zoom', fontSize: 21 });
    font.size = 21;
    expect(
      g.move([
        { x: 0, y: 0 },
        { x: 150, y: 0 },
      ]),
    ).toBeUndefined();
    expect(
      g.move([
        { x: 0, y: 0 },
        { x: 1000, y: 0 },
      ]),
    ).toEqual({ type: 'zoom', fontSize: 28 });
    expect(
      g.move([
        { x: 0, y: 0 },
        { x: 1, y: 0 },
      ]),
    ).toEqual({ type: 'zoom', fontSize: 8 });
    expect(g.held()).toBeUndefined();
  });

  it('ends when the last finger lifts', () => {
    const { g } = gestures();
    g.down([{ x: 0, y: 100 }]);
    g.move([{ x: 0, y: 40 }]);
    g.up(0);
    expect(g.active).toBe(false);
    expect(g.move([{ x: 0, y: 0 }])).toBeUndefined();
  });
});
