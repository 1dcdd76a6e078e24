// The training rows of a step's minibatch, drawn with replacement: twin of minibatchRows in
// src/engine/cpu/network.ts (bit-identical: integer operations only). Row b of step k of a run is
// word b & 3 of pcg4d(seed, run, k, STREAM_MINIBATCH + (b >> 2)), modulo the training set's size.
// Callers walking b = 0, 1, 2, ... keep the words of the current four and call minibatch_words
// every fourth row.

fn minibatch_words(seed: u32, run: u32, k: u32, b: u32) -> vec4u {
  return pcg4d(vec4u(seed, run, k, STREAM_MINIBATCH + (b >> 2u)));
}

fn minibatch_row(words: vec4u, b: u32, n: u32) -> u32 {
  var w = words;
  return w[b & 3u] % n;
}
