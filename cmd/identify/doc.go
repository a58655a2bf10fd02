// Command identify is physid's command line: it fits scenario files,
// extrapolates the fits, evaluates gradients, compares learned models with
// the physics model and reproduces the ACA paper's experiments.
//
//	identify fit SCENARIO [--out DIR] [--method M] [--optimizer adam|lbfgs|lm] [--epochs N] [--seed S] [--json] [--resume DIR]
//	identify simulate SCENARIO [--out FILE.csv] [--t1 T] [--points N] [--experiment NAME]
//	identify extrapolate SCENARIO --from DIR/result.json|MODEL.json [--t1 T] [--points N] [--json] [--experiment NAME]
//	identify compare SCENARIO [--runs N] [--models lstm,lstm-aug,node,ode] [--methods M,...] [--budget full|reduced] [--out DIR] [--json]
//	identify grad SCENARIO [--method aca|adjoint|naive|forward] [--check] [--json]
//	identify precision SCENARIO [--methods aca,adjoint,forward] [--tols 1e-6,...,1e-10] [--reference-tol 1e-12] [--repeats N] [--out DIR] [--json]
//	identify profile SCENARIO [--params p1,p2] [--points N] [--out DIR] [--optimizer O] [--epochs N] [--json]
//	identify images train|compare|icc [--model resnet|node] [--method M] [--solver S] [--data DIR|--dataset fashion-mnist] [--epochs N] [--width W] [--runs R] [--out DIR] [--json]
//	identify latent train|compare [--model rnn|gru|latent-ode] [--data DIR] [--observed F] [--method M] [--epochs N] [--out DIR] [--json]
//	identify reproduce toy [--out DIR]
//	identify reproduce reverse [--conv] [--out DIR]
//	identify reproduce three-body|latent-ode|images [--out DIR]
//	identify slurm COMMAND ARGS... --out DIR --tasks N [--partition P] [--time HH:MM:SS] [--cpus-per-task C] [--mem M] [--submit]
//	identify merge DIR [DIR...] [--out DIR]
//	identify help [COMMAND]
//
// compare is the paper's Table 5 and Fig. 8; images its Sec. 4.2 (Tables
// 2-3); latent its Sec. 4.3 (Table 4); reproduce toy is Fig. 6, reproduce
// reverse Fig. 4 (--conv: Fig. 5), and reproduce three-body, latent-ode and
// images run Table 5, Table 4 and Tables 2-3 at their reduced defaults.
// precision is a work-precision report of the gradient (error against a
// tight-tolerance ACA reference, time and NFE for each method and tolerance),
// to choose the cheapest method and tolerance for a needed accuracy.
//
// A scenario with experiments, observables or inputs is fitted by
// likelihood: fit then writes fit_<experiment>.png and .csv per experiment
// and result.json's experiments (local parameters, rmse, nrmse,
// fit_percent), and simulate and extrapolate take --experiment.
//
// Exit status: 0 on success, 1 when a computation fails (a solver error), 2
// for a usage mistake or a bad input file, 3 for an internal error (a bug).
// This is the only package that prints or exits.
package main
