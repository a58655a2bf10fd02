// Package images reproduces the image-classification experiments of Zhuang
// et al., "Adaptive Checkpoint Adjoint Method for Gradient Estimation in
// Neural ODE" (ICML 2020), Sec. 4.2: a small ResNet against its neural-ODE
// counterpart (learned/vision) trained alike.
//
//   - Compare is Table 2 and Fig. 7b: the ResNet (also with each block
//     dropped) and one NODE per gradient method, each NODE tested with every
//     tableau of TestSolvers without retraining, and the test accuracy after
//     every epoch against training time.
//   - ICC is Table 3: the test-retest reliability (vision.TestRetest, ICC(1)
//     and ICC(1,k)) of several runs per architecture with different seeds.
//
// Each returns a result value; cmd/identify (`identify images compare|icc`,
// `identify reproduce images`) parses the flags into a Builder, prints the
// tables, plots and writes the JSON.
package images
