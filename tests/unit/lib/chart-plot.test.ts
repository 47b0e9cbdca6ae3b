// The chart's data columns and number formats, against values worked out by
// hand (EMA with bias correction: s_n = w·s_{n-1} + (1-w)·v_n, shown as
// s_n / (1 - w^n)).
import { describe, expect, it } from 'vitest';
import { faint, formatValue, plotData, tick } from '../../../src/lib/measures/chart-plot';

describe('chart plot', () => {
  it('aligns lines on one x and follows each raw column by its EMA', () => {
    const data = plotData(
      [
        { name: 'a', series: { x: [1, 2], y: [2, 4] } },
        { name: 'b', series: { x: [2, 3], y: [10, 20] } },
      ],
      0.5,
    );
    expect(data[0]).toEqual([1, 2, 3]);
    expect(data[1]).toEqual([2, 4, null]);
    // 2; then (0.5·1 + 0.5·4) / 0.75 = 10/3
    expect(data[2]).toEqual([2, expect.closeTo(10 / 3, 12), null]);
    expect(data[3]).toEqual([null, 10, 20]);
    // 10; then (0.5·5 + 0.5·20) / 0.75 = 50/3
    expect(data[4]).toEqual([null, 10, expect.closeTo(50 / 3, 12)]);
  });

  it('writes ticks short and readouts to four digits', () => {
    expect(tick(0.00012)).toBe('1.2e-4');
    expect(tick(1234.5678)).toBe('1230');
    expect(tick(0.5)).toBe('0.5');
    expect(tick(0)).toBe('0');
    expect(formatValue(3.14159)).toBe('3.142');
    expect(formatValue(123456)).toBe('1.23e+5');
    expect(formatValue(null)).toBe('–');
    expect(formatValue(NaN)).toBe('–');
  });

  it('fades a hex colour and leaves others as they are', () => {
    expect(faint('#ff8000')).toBe('rgba(255, 128, 0, 0.28)');
    expect(faint('red')).toBe('red');
  });
});
