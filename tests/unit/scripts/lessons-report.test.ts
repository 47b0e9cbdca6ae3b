// The lessons report prints each target's median beside a ✅ or ❌; the
// number shown must meet the target exactly when the median does.
import { describe, expect, it } from 'vitest';
import { beside } from '../../../scripts/lessons/report';

const atLeast97 = (v: number) => v >= 97;
const atMost120 = (v: number) => v <= 120;

describe('a median beside its target', () => {
  it('keeps one decimal when rounding stays on the same side of the bar', () => {
    expect(beside(96.8, atLeast97, 1)).toBe('96.8');
    expect(beside(98.04, atLeast97, 1)).toBe('98.0');
    expect(beside(97, atLeast97, 1)).toBe('97.0');
  });

  it('adds decimals when rounding would carry a miss over the bar', () => {
    expect(beside(96.96, atLeast97, 1)).toBe('96.96');
    expect(beside(96.996, atLeast97, 1)).toBe('96.996');
    expect(beside(120.4, atMost120, 0)).toBe('120.4');
  });

  it('does not add decimals to a met target that rounds onto the bar', () => {
    expect(beside(119.6, atMost120, 0)).toBe('120');
    expect(beside(120, atMost120, 0)).toBe('120');
  });
});
