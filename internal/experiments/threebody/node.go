package threebody

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/learned"
)

// NODEConfig configures the node model of CompareThreeBody, r̈ = FC(Aug)
// (paper Eq. 34). The zero value is the tuned default noted on each field.
type NODEConfig struct {
	// Hidden lists hidden-layer widths; nil means none: a single affine layer
	// from the Eq. 33 features to the accelerations, the paper's FC. (One
	// affine layer can express Newton's law exactly on these features; hidden
	// tanh layers trained worse in our tests.)
	Hidden []int
	// Activation follows each hidden layer; "" means tanh.
	Activation learned.Activation
	// Epochs is the number of Adam steps; 0 means the Budget's.
	Epochs int
	// LR is Adam's learning rate in the preconditioned coordinates (see
	// Precondition), decayed to LR·FinalLR by the last epoch; 0 means 2e-3.
	LR float64
	// FinalLR is the ratio of the last epoch's learning rate to LR; 0 means 1
	// (constant).
	FinalLR float64
	// InitScale multiplies the Glorot-uniform initial weights; 0 means 0.01, so
	// that training starts near free flight (r̈ ≈ 0) rather than in a
	// random strong field that may throw the bodies into each other.
	InitScale float64
	// Precondition is the fixed change of variables the first layer is
	// trained in: W·φ + b = W'·A·(φ − μ) + b', with μ the features' mean over
	// the observed positions and A = diag(1/σ) ("standardize") or Σ^(−1/2)
	// ("whiten", the inverse square root of their covariance), or none
	// ("none"). It is folded back after every step, so the model is always
	// FC(Aug) on the raw features; only Adam's coordinates change. "" means
	// "standardize".
	Precondition string
	// HoldOut is the fraction of the observation times, at the end of the
	// window, left out of the loss: the parameters kept are those with the
	// lowest unweighted MSE there (early stopping), evaluated every epoch
	// from the states the gradient's forward solve computes anyway. With the
	// paper's weights 0.01^t the tail carries little of the loss, so holding
	// it out costs little and guards against keeping a field that fits the
	// window but flies apart after it. 0 means 0.2; negative means none (the
	// parameters with the lowest training loss are kept).
	HoldOut float64
	// Guard is the factor by which the training loss may rise above the best
	// so far before training goes back to the best parameters with half the
	// learning rate and fresh Adam moments (as it also does when a solve
	// fails); 0 means 3.
	Guard float64
	// MaxRecoveries is how often the guard may go back before the run counts
	// as diverged; 0 means 20.
	MaxRecoveries int
	// MaxSteps bounds the solver's attempted steps per solve during training
	// (a diverging field fails fast instead of crawling); 0 means 50 per
	// observation time.
	MaxSteps int
}

func (c NODEConfig) resolved(epochs int) NODEConfig {
	c.Hidden = slices.Clone(c.Hidden)
	if c.Activation == "" {
		c.Activation = learned.Tanh
	}
	if c.Epochs == 0 {
		c.Epochs = epochs
	}
	if c.LR == 0 {
		c.LR = 2e-3
	}
	if c.FinalLR == 0 {
		c.FinalLR = 1
	}
	if c.InitScale == 0 {
		c.InitScale = 0.01
	}
	if c.HoldOut == 0 {
		c.HoldOut = 0.2
	} else if c.HoldOut < 0 {
		c.HoldOut = 0
	}
	if c.Guard == 0 {
		c.Guard = 3
	}
	if c.MaxRecoveries == 0 {
		c.MaxRecoveries = 20
	}
	if c.Precondition == "" {
		c.Precondition = "standardize"
	}
	return c
}

func (c NODEConfig) validate() error {
	if err := c.Activation.Validate(); err != nil {
		return fmt.Errorf("%w: node: %v", learned.ErrConfig, err)
	}
	for _, bad := range []struct {
		ok   bool
		what string
		v    float64
	}{
		{c.Epochs >= 1, "epochs must be at least 1", float64(c.Epochs)},
		{c.LR > 0, "lr must be positive", c.LR},
		{c.FinalLR > 0, "final lr must be positive", c.FinalLR},
		{c.InitScale >= 0, "init scale must not be negative", c.InitScale},
		{c.HoldOut < 1, "hold-out must be below 1", c.HoldOut},
		{c.Guard > 1, "guard must be above 1", c.Guard},
		{c.MaxRecoveries >= 0, "max recoveries must not be negative", float64(c.MaxRecoveries)},
		{c.MaxSteps >= 0, "max steps must not be negative", float64(c.MaxSteps)},
	} {
		if !bad.ok {
			return fmt.Errorf("%w: node: %s (got %g)", learned.ErrConfig, bad.what, bad.v)
		}
	}
	switch c.Precondition {
	case "standardize", "whiten", "none":
	default:
		return fmt.Errorf("%w: node: precondition %q (allowed: standardize, whiten, none)", learned.ErrConfig, c.Precondition)
	}
	if len(c.Hidden) > 0 && slices.Min(c.Hidden) < 1 {
		return fmt.Errorf("%w: node: hidden widths %v must be positive", learned.ErrConfig, c.Hidden)
	}
	return nil
}

// runNODE trains the node model through aca with the given gradient method on
// the problem's own loss and predicts the test window.
func (s *compareSetup) runNODE(ctx context.Context, method string, seed uint64, progress func(int, int, float64)) (runOutcome, []float64) {
	c := s.cfg.NODE.resolved(s.budget.NODEEpochs)
	p := s.p
	out := runOutcome{epochs: c.Epochs, RunResult: RunResult{Status: StatusOK, ValMSE: math.NaN(), TrainLoss: math.NaN()}}
	f, err := learned.NewThreeBodyNODE(*s.gravity, c.Hidden, c.Activation)
	if err != nil {
		out.Status, out.Message = StatusDiverged, err.Error()
		return out, nil
	}
	out.params = f.NumParams()
	theta, val, recoveries, err := trainNODE(ctx, f, p, c, method, seed, func(epoch int, loss float64) {
		out.Epochs, out.TrainLoss = epoch, loss
		progress(epoch, c.Epochs, loss)
	})
	out.ValMSE = val
	if recoveries > 0 {
		out.Message = fmt.Sprintf("went back to the best parameters %d times", recoveries)
	}
	if err != nil {
		out.Status, out.Message = StatusDiverged, err.Error()
	}
	if ctx.Err() != nil && out.Epochs < c.Epochs {
		out.Status, out.Message = StatusInterrupted, fmt.Sprintf("stopped after epoch %d", out.Epochs)
	}
	if theta == nil {
		return out, nil
	}
	out.trained, out.theta = f, theta
	settings := p.Solver
	settings.MaxSteps = max(settings.MaxSteps, 1000000)
	pred, err := identify.Simulate(f, theta, p.T0, p.Z0, s.times, &settings)
	if err != nil {
		out.Status, out.Message = StatusDiverged, fmt.Sprintf("predicting the test window: %v", err)
		return out, nil
	}
	return out, pred
}

// trainNODE runs Adam on the problem's weighted least squares through the
// gradient method and returns the raw θ with the lowest training loss seen
// (with a hold-out: the lowest MSE on the held-out tail, also returned as
// val). It returns an error (with the best θ so far, if any) when a gradient
// evaluation fails or is not finite more often than the guard allows.
func trainNODE(ctx context.Context, f *learned.NeuralField, p *identify.Problem, c NODEConfig, method string, seed uint64, epoch func(int, float64)) (best []float64, val float64, recoveries int, err error) {
	m, err := aca.ByName(method)
	if err != nil {
		return nil, math.NaN(), 0, err
	}
	// With a hold-out, the tail's weights are zero: the forward solve still
	// reaches it, so its states come with every gradient and validate for free.
	K := len(p.Times)
	split, weights := holdOutWeights(p, c.HoldOut)
	loss, err := aca.NewLeastSquares(f.Dim(), p.Observed, p.Values, weights)
	if err != nil {
		return nil, math.NaN(), 0, err
	}
	tr := newNODETrainer(f, p, c, seed)
	settings := p.Solver
	if settings.MaxSteps = c.MaxSteps; settings.MaxSteps == 0 {
		settings.MaxSteps = 50 * len(p.Times)
	}
	prob := &aca.Problem{Model: f, Theta: tr.raw, T0: p.T0, Z0: p.Z0, Times: p.Times, Loss: loss}
	bestScore := math.Inf(1)
	val = math.NaN()
	for e := 1; e <= c.Epochs; e++ {
		if ctx.Err() != nil {
			break
		}
		tr.syncRaw()
		res, err := m.Gradient(prob, &settings)
		if err == nil && !finiteAll(res.Theta) {
			err = fmt.Errorf("%w: the gradient is not finite (loss %g)", aca.ErrLoss, res.Loss)
		}
		if err != nil {
			if err := tr.backtrack(e, err); err != nil {
				return best, val, tr.recoveries - 1, err
			}
			epoch(e, math.NaN())
			continue
		}
		if res.Loss > c.Guard*tr.bestTrain {
			if err := tr.backtrack(e, fmt.Errorf("the loss rose to %.3g from %.3g", res.Loss, tr.bestTrain)); err != nil {
				return best, val, tr.recoveries - 1, err
			}
			epoch(e, res.Loss)
			continue
		}
		if res.Loss < tr.bestTrain {
			tr.bestTrain = res.Loss
			copy(tr.bestPre, tr.std)
		}
		score := res.Loss
		if split < K {
			score = holdOutMSE(res.States, p, f.Dim(), split)
		}
		if score < bestScore {
			bestScore = score
			best = append(best[:0], tr.raw...)
			if split < K {
				val = score
			}
		}
		epoch(e, res.Loss)
		tr.step(res.Theta)
	}
	return best, val, tr.recoveries, nil
}

// holdOutWeights returns the index of the first held-out observation time (K
// without a hold-out) and the loss weights: the problem's (or 1) before it,
// 0 from it on.
func holdOutWeights(p *identify.Problem, holdOut float64) (split int, weights []float64) {
	K := len(p.Times)
	split = K
	if holdOut > 0 {
		split = K - int(math.Round(holdOut*float64(K)))
	}
	weights = make([]float64, K)
	for k := range weights {
		switch {
		case k >= split:
			weights[k] = 0
		case p.Weights != nil:
			weights[k] = p.Weights[k]
		default:
			weights[k] = 1
		}
	}
	return split, weights
}

// holdOutMSE is the unweighted MSE of the states (n wide, at p.Times)
// against the observations at the times from split on.
func holdOutMSE(states []float64, p *identify.Problem, n, split int) float64 {
	K := len(p.Times)
	nobs := len(p.Values) / K
	s := 0.0
	for k := split; k < K; k++ {
		for j := range nobs {
			c := j
			if p.Observed != nil {
				c = p.Observed[j]
			}
			d := states[k*n+c] - p.Values[k*nobs+j]
			s += d * d
		}
	}
	return s / float64((K-split)*nobs)
}

// nodeTrainer is the optimizer state of trainNODE: θ' (std) in the
// preconditioned coordinates Adam works in, the raw θ the model reads, and
// the guard's best θ' to go back to.
type nodeTrainer struct {
	c          NODEConfig
	st         *preconditioner // nil for Precondition "none"
	std, raw   []float64
	opt        *learned.Adam
	bestPre    []float64 // the θ' with the lowest training loss
	bestTrain  float64
	recoveries int
}

// newNODETrainer draws the seeded initial parameters, scaled by InitScale,
// and sets up the preconditioner and Adam.
func newNODETrainer(f *learned.NeuralField, p *identify.Problem, c NODEConfig, seed uint64) *nodeTrainer {
	std := learned.NewParams(f, seed)
	for i := range std {
		std[i] *= c.InitScale
	}
	tr := &nodeTrainer{c: c, std: std, raw: slices.Clone(std), bestPre: slices.Clone(std), bestTrain: math.Inf(1)}
	if c.Precondition != "none" {
		tr.st = newPreconditioner(f, p.Values, c.Precondition == "whiten")
		tr.st.toRaw(tr.raw, tr.std)
	}
	tr.opt = &learned.Adam{LR: c.LR}
	if c.FinalLR != 1 {
		tr.opt.Schedule = learned.ExponentialDecay{Rate: math.Pow(c.FinalLR, 1/float64(c.Epochs))}
	}
	return tr
}

// syncRaw writes the raw θ for the current θ'.
func (tr *nodeTrainer) syncRaw() {
	if tr.st != nil {
		tr.st.toRaw(tr.raw, tr.std)
	} else {
		copy(tr.raw, tr.std)
	}
}

// step takes one Adam step on θ' with the raw gradient g (changed in place).
func (tr *nodeTrainer) step(g []float64) {
	if tr.st != nil {
		tr.st.gradToPre(g)
	}
	tr.opt.Step(tr.std, g)
}

// backtrack goes back to the best θ' with half the learning rate and fresh
// moments, or reports that it has done so too often.
func (tr *nodeTrainer) backtrack(e int, why error) error {
	tr.recoveries++
	if tr.recoveries > tr.c.MaxRecoveries || math.IsInf(tr.bestTrain, 1) {
		return fmt.Errorf("epoch %d (after %d recoveries): %w", e, tr.recoveries-1, why)
	}
	copy(tr.std, tr.bestPre)
	tr.opt.LR *= 0.5
	tr.opt.Reset()
	return nil
}

func finiteAll(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
