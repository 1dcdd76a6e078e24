/**
 * The keyboard's focus ring, one rule for every component (each shadow root needs its own copy of
 * the style): 2 px of blue on every control, <summary> headers included. Walkthrough 10 found the
 * view bar's controls and the summaries with the browser's thin ring among the others' blue.
 */
import { css } from 'lit';

export const FOCUS_RING = css`
  button:focus-visible,
  select:focus-visible,
  input:focus-visible,
  a:focus-visible,
  summary:focus-visible {
    outline: 2px solid #2f6fdf;
    outline-offset: 1px;
  }
`;
