package threebody

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/learned"
	"github.com/physid/physid/nbody"
)

// plotNames names the plot components by the model's StateNames, or z<i>.
func plotNames(s *compareSetup) []string {
	names := make([]string, len(s.plot))
	var all []string
	if nm, ok := s.p.Model.(interface{ StateNames() []string }); ok {
		all = nm.StateNames()
	}
	for i, c := range s.plot {
		if c < len(all) {
			names[i] = all[c]
		} else {
			names[i] = fmt.Sprintf("z%d", c)
		}
	}
	return names
}

// gravityOf returns the N-body system inside a model, if it is one.
func gravityOf(m any) (*nbody.Gravity, bool) {
	switch g := m.(type) {
	case nbody.Gravity:
		return &g, true
	case *nbody.Gravity:
		if g != nil {
			c := *g
			return &c, true
		}
	}
	return nil, false
}

// ErrCompare reports bad input to CompareThreeBody. (Its text predates the
// move out of package learned and is kept: the command prints it.)
var ErrCompare = errors.New("learned: compare")

// badCompare is an ErrCompare with the problem described.
func badCompare(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCompare}, a...)...)
}

// newCompareSetup validates cfg, resolves its defaults and simulates the
// truth at the test times.
func newCompareSetup(cfg CompareConfig) (*compareSetup, error) {
	if cfg.Problem == nil {
		return nil, badCompare("no problem")
	}
	if cfg.Runs < 1 {
		return nil, badCompare("runs must be at least 1 (got %d)", cfg.Runs)
	}
	p := cfg.Problem
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCompare, err)
	}
	seen, err := resolveModels(&cfg)
	if err != nil {
		return nil, err
	}
	if len(cfg.TrueParams) != p.Model.NumParams() {
		return nil, badCompare("%d true parameters for a model with %d", len(cfg.TrueParams), p.Model.NumParams())
	}
	s := &compareSetup{cfg: cfg, p: p, budget: cfg.Budget.resolved()}
	n := p.Model.Dim()
	s.observed = p.Observed
	if s.observed == nil {
		s.observed = make([]int, n)
		for i := range s.observed {
			s.observed[i] = i
		}
	}
	if err := s.checkNBody(seen); err != nil {
		return nil, err
	}
	if seen[ModelLSTM] || seen[ModelLSTMAug] {
		if err := uniformTimes(p); err != nil {
			return nil, fmt.Errorf("%w: the lstm baselines: %w", ErrCompare, err)
		}
	}
	if err := s.resolveTimes(); err != nil {
		return nil, err
	}
	if err := s.checkLearned(seen); err != nil {
		return nil, err
	}
	truthSettings := cfg.Truth
	if truthSettings == nil {
		truthSettings = TruthSettings()
	}
	if s.truth, err = identify.Simulate(p.Model, cfg.TrueParams, p.T0, p.Z0, s.times, truthSettings); err != nil {
		return nil, fmt.Errorf("%w: simulating the truth: %w", ErrCompare, err)
	}
	if s.gravity != nil {
		s.plot = make([]int, s.gravity.Dims)
		for i := range s.plot {
			s.plot[i] = i
		}
	} else {
		s.plot = s.observed[:min(3, len(s.observed))]
	}
	s.resolveODE()
	return s, nil
}

// resolveModels fills in cfg's default models and methods, checks them and
// sorts them into table order; it returns the set of models named.
func resolveModels(cfg *CompareConfig) (map[string]bool, error) {
	if cfg.Models == nil {
		cfg.Models = CompareModels
	}
	if cfg.Methods == nil {
		cfg.Methods = CompareMethods
	}
	cfg.Models, cfg.Methods = slices.Clone(cfg.Models), slices.Clone(cfg.Methods)
	seen, err := checkNames(cfg.Models, CompareModels, "model", "models")
	if err != nil {
		return nil, err
	}
	if seen[ModelNODE] || seen[ModelODE] {
		if _, err := checkNames(cfg.Methods, CompareMethods, "gradient method", "gradient methods"); err != nil {
			return nil, err
		}
	}
	return seen, nil
}

// checkNames checks that list is not empty and names each of allowed at most
// once, then sorts it into allowed's (table) order, whatever the order given;
// it returns the set of names. one and many name an entry in the messages.
func checkNames(list, allowed []string, one, many string) (map[string]bool, error) {
	if len(list) == 0 {
		return nil, badCompare("no %s (allowed: %s)", many, strings.Join(allowed, ", "))
	}
	seen := map[string]bool{}
	for _, m := range list {
		if !slices.Contains(allowed, m) {
			return nil, badCompare("unknown %s %q (allowed: %s)", one, m, strings.Join(allowed, ", "))
		}
		if seen[m] {
			return nil, badCompare("%s %q listed twice", one, m)
		}
		seen[m] = true
	}
	slices.SortFunc(list, func(a, b string) int {
		return slices.Index(allowed, a) - slices.Index(allowed, b)
	})
	return seen, nil
}

// checkNBody sets s.gravity when the model is an N-body system and checks
// that lstm-aug and node, if named, have one with every position observed.
func (s *compareSetup) checkNBody(seen map[string]bool) error {
	p := s.p
	g, isNBody := gravityOf(p.Model)
	for _, m := range []string{ModelLSTMAug, ModelNODE} {
		if !seen[m] {
			continue
		}
		if !isNBody {
			return badCompare("model %q needs an N-body system (nbody.Gravity), not %T (models allowed for this system: %s, %s)",
				m, p.Model, ModelLSTM, ModelODE)
		}
		pos, _ := g.Group(nbody.GroupPositions)
		if !slices.Equal(s.observed, pos) {
			return badCompare("model %q needs every position observed, in state order (observed components %v, positions %v)", m, s.observed, pos)
		}
		if err := learned.NewNBodyFeatures(*g).Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrCompare, err)
		}
	}
	if isNBody {
		s.gravity = g
	}
	return nil
}

// resolveTimes sets the horizon and the test times.
func (s *compareSetup) resolveTimes() error {
	p, cfg := s.p, s.cfg
	last := p.Times[len(p.Times)-1]
	s.horizon = cfg.Horizon
	if s.horizon == 0 {
		s.horizon = p.T0 + 2*(last-p.T0)
	}
	if !(s.horizon > last) {
		return badCompare("horizon %g is not after the observed window [%g, %g]", s.horizon, p.T0, last)
	}
	points := cfg.Points
	if points == 0 {
		points = nbody.PaperThreeBodyTimes().HorizonPoints
	}
	if points < 2 {
		return badCompare("points must be at least 2 (got %d)", points)
	}
	s.times = identify.Linspace(p.T0, s.horizon, points)
	return nil
}

// checkLearned validates the resolved settings of the learned models named.
func (s *compareSetup) checkLearned(seen map[string]bool) error {
	p := s.p
	if seen[ModelLSTM] || seen[ModelLSTMAug] {
		c := s.cfg.LSTM.resolved(s.budget.LSTMEpochs, len(p.Times))
		if err := c.validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrCompare, err)
		}
		if split := lstmSplit(c, len(p.Times)); split < c.Window+1 {
			return badCompare("lstm: %d observations at stride %d leave %d training steps before the hold-out, fewer than window+1 = %d; lower the window, stride or hold-out",
				len(p.Times), c.Stride, split, c.Window+1)
		}
	}
	if seen[ModelNODE] {
		if err := s.cfg.NODE.resolved(s.budget.NODEEpochs).validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrCompare, err)
		}
	}
	return nil
}

// resolveODE sets the physics fit's options and optimizer: cfg.ODE, or the
// paper's Adam, with the Budget's epochs when none are set.
func (s *compareSetup) resolveODE() {
	cfg := s.cfg
	s.odeOpt = cfg.ODEOptimizer
	if cfg.ODE != nil {
		s.ode = *cfg.ODE
	} else {
		s.ode = *PaperOptions(0)
		s.ode.Epochs = 0 // the Budget's
		if s.odeOpt == nil {
			s.odeOpt = PaperAdam()
		}
	}
	if s.ode.Epochs == 0 {
		s.ode.Epochs = s.budget.ODEEpochs
	}
}

// uniformTimes checks that the observation times start at T0 and are equally
// spaced to 1e-6 of the spacing.
func uniformTimes(p *identify.Problem) error {
	t := p.Times
	if len(t) < 3 {
		return fmt.Errorf("need at least 3 observation times (got %d)", len(t))
	}
	if t[0] != p.T0 {
		return fmt.Errorf("the first observation time %g is not t0 = %g", t[0], p.T0)
	}
	h := (t[len(t)-1] - t[0]) / float64(len(t)-1)
	for k := 1; k < len(t); k++ {
		if math.Abs(t[k]-t[k-1]-h) > 1e-6*h {
			return fmt.Errorf("observation times are not equally spaced (t[%d] − t[%d] = %g, mean spacing %g)", k, k-1, t[k]-t[k-1], h)
		}
	}
	return nil
}
