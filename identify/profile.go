package identify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/stat/distuv"
)

// ErrNotProfilable means a requested parameter cannot be profiled: it is
// fixed, unknown, or the fit of all parameters found no finite optimum for it.
var ErrNotProfilable = errors.New("identify: cannot profile")

// ProfileSettings configures Profile. The zero value profiles every free
// parameter at the 95% level with at most 20 fits on each side of the optimum.
type ProfileSettings struct {
	// Params lists the indices into Problem.Params of the parameters to
	// profile; nil means every free parameter.
	Params []int
	// Points bounds the fits on each side of the optimum (grid points, the
	// refinements of a crossing and failed attempts all count); 0 means 20.
	Points int
	// Level is the confidence level of the intervals; 0 means 0.95.
	Level float64
	// Workers bounds the goroutines; each parameter's two sides are separate
	// tasks. 0 means GOMAXPROCS. The numbers do not depend on it.
	Workers int
	// Progress, when not nil, is called after every profile fit, never
	// concurrently.
	Progress func(ProfileProgress)
	// Only, when not nil, walks only the sides (tasks) k with Only(k), the
	// share of one shard of a profile split over machines: task 2j is the
	// lower side of the j-th profiled parameter, 2j+1 its upper side. The
	// others are left with Stop StopSkipped and no points; MergeProfiles
	// combines the shards. Every shard fits the optimum itself.
	Only func(task int) bool
}

// ProfileProgress reports one fit of a profile.
type ProfileProgress struct {
	// Param is the index into Problem.Params; Side is −1 (below the optimum)
	// or +1 (above); Point counts the fits on that side, from 1.
	Param, Side, Point int
	// Value is the profiled parameter's value, Loss the loss minimised over
	// the others (NaN when the fit failed) and Stat the statistic.
	Value, Loss, Stat float64
}

// Profile stop reasons: why one side of a profile ended.
const (
	// StopCrossed: the statistic crossed the threshold; the side has a limit.
	StopCrossed = "crossed"
	// StopBound: the parameter's bound was reached below the threshold.
	StopBound = "bound"
	// StopPoints: Points fits were spent below the threshold.
	StopPoints = "points"
	// StopFailed: the fits failed (a solver error, a diverged fit) before
	// the threshold, even with smaller steps.
	StopFailed = "failed"
	// StopInterrupted: the context ended.
	StopInterrupted = "interrupted"
	// StopSkipped: another shard walks this side (ProfileSettings.Only).
	StopSkipped = "skipped"
)

// ProfileResult is the outcome of Profile.
type ProfileResult struct {
	// Optimum is the fit of all free parameters the profiles start from.
	Optimum *Result
	// Observations is n, the number of observed values (times × observed
	// components); Level the confidence level; Threshold is Δ = χ²₁(Level)/2,
	// the bound on the statistic (n/2)·log(L/L̂) inside the interval.
	Observations int
	Level        float64
	Threshold    float64
	// Profiles has one entry per profiled parameter, in the order of
	// ProfileSettings.Params (or of the free parameters).
	Profiles []ParamProfile
	// Interrupted is true when the context ended some profile early.
	Interrupted bool
}

// ParamProfile is the profile of one parameter.
type ParamProfile struct {
	// Index is the parameter's index into Problem.Params, Name its name and
	// Value its value at the optimum.
	Index int
	Name  string
	Value float64
	// StdErr is the Wald (Gauss–Newton) standard error and WaldLower,
	// WaldUpper the interval Value ∓ z·StdErr with z the normal quantile of
	// the level (1.96 at 95%); all NaN when the standard error is unavailable.
	StdErr               float64
	WaldLower, WaldUpper float64
	// Lower and Upper are the two sides of the profile-likelihood interval.
	Lower, Upper ProfileSide
	// Points holds every successful profile fit and the optimum, sorted by
	// the parameter's value.
	Points []ProfilePoint
}

// Identifiable reports whether both sides of the interval were found: a side
// that reaches a bound, the point limit or failing fits without crossing the
// threshold is a direction in which the data do not pin the parameter down.
func (pp *ParamProfile) Identifiable() bool {
	return pp.Lower.Found() && pp.Upper.Found()
}

// ProfileSide is one side of a profile-likelihood interval.
type ProfileSide struct {
	// Limit is the interval's end on this side, where the statistic crosses
	// the threshold; meaningful only when Stop is StopCrossed.
	Limit float64
	// Stop says why the side ended (StopCrossed, StopBound, StopPoints,
	// StopFailed or StopInterrupted); Message explains.
	Stop    string
	Message string
	// Points holds this side's successful fits in the order they were made
	// (ParamProfile.Points has both sides' and the optimum, sorted).
	Points []ProfilePoint
}

// Found reports whether the side crossed the threshold.
func (s ProfileSide) Found() bool { return s.Stop == StopCrossed }

// ProfilePoint is one point of a profile.
type ProfilePoint struct {
	// Value is the profiled parameter's value; Loss the loss minimised over
	// the other free parameters; Stat = (n/2)·log(Loss/L̂).
	Value, Loss, Stat float64
	// Params is the full θ at the point.
	Params []float64
}

// Profile computes profile-likelihood intervals (Venzon & Moolgavkar 1988;
// Raue et al. 2009). It fits all free parameters (the optimum θ̂, loss L̂),
// then, for each profiled parameter θ_i, fixes θ_i on a grid walking away from
// θ̂_i in both directions and re-fits the others at each grid point, warm
// started from the previous point, until the statistic crosses the threshold,
// a bound is reached or Points fits are spent.
//
// The statistic. The loss is a (weighted) sum of squared residuals, L = SSR/K.
// For Gaussian noise of unknown variance σ² the negative log-likelihood with σ
// profiled out (σ̂² = SSR/n) is (n/2)·log SSR + const, so twice the
// log-likelihood ratio is n·log(L(θ_i)/L̂), asymptotically χ²₁. The interval is
//
//	{θ_i : (n/2)·log(L(θ_i)/L̂) ≤ Δ},  Δ = χ²₁(Level)/2 (1.92073 at 95%),
//
// the standard profile of nonlinear least squares. It is invariant to the
// scale of the loss (the 1/K and the time weights), needs no noise estimate,
// and, for a model linear in θ, gives exactly θ̂_i ± se_i·√((n−p)(e^{2Δ/n}−1))
// with se_i the Wald standard error (→ 1.96·se_i as n grows).
//
// The grid. The first step is a quarter of the Wald standard error (or 5% of
// |θ̂_i|, or 0.1, when that is unavailable); a step that raised the statistic
// by less than Δ/10 doubles (up to 16 times the first), one that raised it by
// more than Δ/2 halves, a failed fit is retried at half the step. Once a
// point crosses Δ, up to three more fits at the interpolated crossing refine
// the bracket, and the limit is interpolated linearly between the two points
// that bracket it in √Stat (the likelihood root, linear in θ_i for a linear
// model, so the interpolation is nearly exact where the profile is regular).
//
// For a likelihood problem (Problem.Experiments) with known or estimated σ
// the loss is the negative log-likelihood itself and the statistic is
// L(θ_i) − L̂ against the same Δ; with UnknownScale (σ = 1, data without a
// noise model) it is the least-squares statistic above.
//
// A profile point below L̂ (the fit of all parameters stopped short of the
// minimum) shows as a negative statistic; the walk goes on regardless.
//
// Every profile is a sequence of fits independent of the others, so the
// numbers are the same for any Workers. Nil options and a nil optimizer mean
// what they mean to Fit; the profile fits use one start without jitter and
// Options' epochs and tolerances.
func Profile(ctx context.Context, p *Problem, opts *Options, opt Optimizer, s ProfileSettings) (*ProfileResult, error) {
	if opts == nil {
		opts = &Options{}
	}
	if opt == nil {
		opt = &Adam{}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	set, err := s.resolved(p)
	if err != nil {
		return nil, err
	}
	res, err := Fit(ctx, p, opts, opt)
	if err := checkOptimum(ctx, p, set.Params, res, err); err != nil {
		return nil, err
	}
	n := profileObservations(p)
	out := &ProfileResult{
		Optimum: res, Observations: n, Level: set.Level,
		Threshold: distuv.ChiSquared{K: 1}.Quantile(set.Level) / 2,
		Profiles:  make([]ParamProfile, len(set.Params)),
	}
	z := distuv.UnitNormal.Quantile(1 - (1-set.Level)/2)
	inner := Options{Epochs: opts.Epochs, GradTol: opts.GradTol, LossTol: opts.LossTol, Seed: opts.Seed, Starts: 1, Jitter: -1, Workers: 1}
	w := &profiler{p: p, opt: opt, opts: &inner, lhat: res.Loss, n: n, delta: out.Threshold, points: set.Points}
	var mu sync.Mutex
	if set.Progress != nil {
		w.progress = func(ev ProfileProgress) {
			mu.Lock()
			defer mu.Unlock()
			set.Progress(ev)
		}
	}
	sides := make([][2]sideResult, len(set.Params))
	var g errgroup.Group
	g.SetLimit(set.Workers)
	for k, i := range set.Params {
		pp := &out.Profiles[k]
		pp.Index, pp.Name, pp.Value = i, p.Params[i].Name, res.Params[i]
		pp.StdErr, pp.WaldLower, pp.WaldUpper = math.NaN(), math.NaN(), math.NaN()
		if res.StdErr != nil && res.StdErr[i] > 0 && !math.IsInf(res.StdErr[i], 0) {
			pp.StdErr = res.StdErr[i]
			pp.WaldLower, pp.WaldUpper = pp.Value-z*pp.StdErr, pp.Value+z*pp.StdErr
		}
		for d, dir := range [2]int{-1, 1} {
			if set.Only != nil && !set.Only(2*k+d) {
				sides[k][d] = sideResult{side: ProfileSide{Limit: math.NaN(), Stop: StopSkipped, Message: "walked by another shard"}}
				continue
			}
			g.Go(func() error {
				defer func() { // a bug ends this side only, not the process
					if r := recover(); r != nil {
						sides[k][d] = sideResult{side: ProfileSide{Limit: math.NaN(), Stop: StopFailed, Message: fmt.Sprintf("internal error: %v", r)}}
					}
				}()
				sides[k][d] = w.side(ctx, i, dir, res.Params, pp.StdErr)
				return nil
			})
		}
	}
	_ = g.Wait()
	for k := range out.Profiles {
		pp := &out.Profiles[k]
		pp.Lower, pp.Upper = sides[k][0].side, sides[k][1].side
		pp.Lower.Points, pp.Upper.Points = sides[k][0].points, sides[k][1].points
	}
	out.assemble()
	return out, nil
}

// assemble sorts each profile's points (the lower side's, the optimum, the
// upper side's, by value) and notes an interrupted side.
func (out *ProfileResult) assemble() {
	out.Interrupted = false
	for k := range out.Profiles {
		pp := &out.Profiles[k]
		opt := ProfilePoint{Value: pp.Value, Loss: out.Optimum.Loss, Params: slices.Clone(out.Optimum.Params)}
		pp.Points = append(append(slices.Clone(pp.Lower.Points), opt), pp.Upper.Points...)
		sort.SliceStable(pp.Points, func(a, b int) bool { return pp.Points[a].Value < pp.Points[b].Value })
		if pp.Lower.Stop == StopInterrupted || pp.Upper.Stop == StopInterrupted {
			out.Interrupted = true
		}
	}
}

// checkOptimum returns why the fit of all parameters (res, err) gives no
// optimum to profile params from, or nil.
func checkOptimum(ctx context.Context, p *Problem, params []int, res *Result, err error) error {
	names := make([]string, len(params))
	for k, i := range params {
		names[k] = p.Params[i].Name
	}
	noOptimum := func(reason string) error {
		return fmt.Errorf("%w: parameter %s: no finite optimum: %s", ErrNotProfilable, strings.Join(names, ", "), reason)
	}
	switch {
	case err != nil:
		return noOptimum(err.Error())
	case res.Interrupted:
		return fmt.Errorf("identify: profile: interrupted during the fit of all parameters: %w", context.Cause(ctx))
	case res.Starts[res.Best].Status == "diverged":
		return noOptimum("the fit diverged: " + res.Starts[res.Best].Message)
	case math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0):
		return noOptimum(fmt.Sprintf("the loss is %v", res.Loss))
	}
	for _, i := range params {
		if v := res.Params[i]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: parameter %s: no finite optimum: the fit ended at %v", ErrNotProfilable, p.Params[i].Name, v)
		}
	}
	return nil
}

// profileObservations counts the observations the profile statistic is
// scaled by: every observed state at every time, or for a likelihood problem
// every observable of the experiments that are not held out.
func profileObservations(p *Problem) int {
	n := len(p.Times) * p.NumObserved()
	if p.Likelihood() {
		n = 0
		for _, e := range p.Experiments {
			if !e.Holdout {
				n += len(e.Times) * len(e.Observables)
			}
		}
	}
	return n
}

// resolved fills in the defaults and checks the parameter list.
func (s ProfileSettings) resolved(p *Problem) (ProfileSettings, error) {
	r := s
	if r.Params == nil {
		r.Params = p.free()
	} else {
		r.Params = slices.Clone(r.Params)
	}
	if r.Points == 0 {
		r.Points = 20
	}
	if r.Level == 0 {
		r.Level = 0.95
	}
	if r.Workers == 0 {
		r.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case r.Points < 1:
		return r, fmt.Errorf("identify: profile: points must be at least 1 (got %d)", r.Points)
	case !(r.Level > 0 && r.Level < 1):
		return r, fmt.Errorf("identify: profile: level %g is not between 0 and 1", r.Level)
	case r.Workers < 1:
		return r, fmt.Errorf("identify: profile: workers must be at least 1 (got %d)", r.Workers)
	case len(r.Params) == 0:
		return r, fmt.Errorf("%w: every parameter is fixed", ErrNotProfilable)
	}
	seen := map[int]bool{}
	for _, i := range r.Params {
		switch {
		case i < 0 || i >= len(p.Params):
			return r, fmt.Errorf("%w: parameter index %d: unknown (the problem has %d parameters)", ErrNotProfilable, i, len(p.Params))
		case p.Params[i].Fixed:
			return r, fmt.Errorf("%w: parameter %s: it is fixed (only free parameters have a profile)", ErrNotProfilable, p.Params[i].Name)
		case seen[i]:
			return r, fmt.Errorf("%w: parameter %s: listed twice", ErrNotProfilable, p.Params[i].Name)
		}
		seen[i] = true
	}
	return r, nil
}
