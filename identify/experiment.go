package identify

import (
	"errors"
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
)

// Observation maps an experiment's state to what was measured, y = h(t, z, p),
// with p the problem's parameters (Problem.Params, all of them: an offset or
// a gain may be a parameter). Like Dynamics, it writes into caller slices and
// must not allocate; one that keeps a workspace implements
// ObservationCloner so that parallel starts get their own.
type Observation interface {
	// Len is the number of observables.
	Len() int
	// Eval writes h(t, z, p) into dst (Len values).
	Eval(dst []float64, t float64, z, p []float64)
	// VJP adds wᵀ∂h/∂z into dz and wᵀ∂h/∂p into dp. It adds.
	VJP(dz, dp []float64, t float64, z, p, w []float64)
}

// ObservationCloner is an optional interface of an Observation with a workspace.
type ObservationCloner interface {
	Clone() Observation
}

// StateObservation observes state components directly: h_j = z[c_j].
type StateObservation []int

// Len returns the number of observed components.
func (s StateObservation) Len() int { return len(s) }

// Eval writes the observed components.
func (s StateObservation) Eval(dst []float64, _ float64, z, _ []float64) {
	for j, c := range s {
		dst[j] = z[c]
	}
}

// VJP adds w_j to dz[c_j].
func (s StateObservation) VJP(dz, _ []float64, _ float64, _, _, w []float64) {
	for j, c := range s {
		dz[c] += w[j]
	}
}

// Observable is the noise model of one measured quantity. The residual of a
// datum y against the model's h is
//
//	gaussian:  r = (y − h)/σ
//	lognormal: r = (log y − log h)/σ   (y and h must be positive)
//
// and each datum adds ½r² + log σ to the negative log-likelihood (the
// constant ½log 2π, and for lognormal Σ log y, are left out: they do not
// depend on the parameters).
type Observable struct {
	// Name labels the observable in results.
	Name string
	// LogNormal selects the multiplicative (log-scale) noise model.
	LogNormal bool
	// Sigma is a known noise level; 0 means it is estimated: the parameter
	// Params[SigmaParam], which needs a positive Min.
	Sigma      float64
	SigmaParam int
}

// InitialState gives an experiment's z0 as a function of the parameters.
type InitialState interface {
	// Eval writes z0(p) into dst and, when jac is not nil, ∂z0/∂p
	// (dim×len(p), row-major) into jac.
	Eval(dst, jac, p []float64)
}

// InitialStateCloner is an optional interface of an InitialState with a
// workspace: each goroutine evaluates its own clone.
type InitialStateCloner interface {
	Clone() InitialState
}

// InitialValues is a z0 each entry of which is a known number or a parameter:
// z0_i = Values[i] when Param[i] < 0, else p[Param[i]].
type InitialValues struct {
	Values []float64
	Param  []int
}

// Eval writes z0 and its (0/1) Jacobian.
func (v InitialValues) Eval(dst, jac, p []float64) {
	np := len(p)
	if jac != nil {
		clear(jac)
	}
	for i := range dst {
		if v.Param != nil && v.Param[i] >= 0 {
			dst[i] = p[v.Param[i]]
			if jac != nil {
				jac[i*np+v.Param[i]] = 1
			}
		} else {
			dst[i] = v.Values[i]
		}
	}
}

// Experiment is one run of the system: its own time grid, initial state,
// inputs (through its own Model) and data. The parameters are the problem's:
// the model sees θ_i = p[Theta[i]], so a parameter local to an experiment is
// simply an entry of Problem.Params that only this experiment's Theta, Z0 or
// Observation refers to (and lists in Local).
type Experiment struct {
	// Name labels the experiment in results.
	Name string
	// Holdout experiments (validation) are left out of the fit; afterwards
	// their Local parameters alone are fitted to their data with every other
	// parameter at its estimate.
	Holdout bool
	// Model is the right-hand side with this experiment's inputs; nil means
	// Problem.Model. Models with hold inputs implement dynamics.Breakpointer.
	Model dynamics.Dynamics
	// Theta maps the model's parameters to Problem.Params; nil means the
	// identity (then len(Params) = Model.NumParams()).
	Theta []int
	// Local lists the indices in Problem.Params that belong to this
	// experiment only (its initial states, offsets).
	Local []int
	// T0 is the initial time and Z0 the initial state.
	T0 float64
	Z0 InitialState
	// Times are the observation times, strictly increasing (the first may
	// be T0).
	Times []float64
	// Observation computes the observables, Observables their noise models
	// (Observation.Len() entries).
	Observation Observation
	Observables []Observable
	// Values holds the data, len(Times) rows of len(Observables) values.
	Values []float64
}

// Likelihood reports whether the objective is the negative log-likelihood of
// Experiments (true) or the weighted least squares of the single-experiment
// form.
func (p *Problem) Likelihood() bool { return len(p.Experiments) > 0 }

func (p *Problem) validateExperiments() error {
	np := len(p.Params)
	names := map[string]bool{}
	fitted := 0
	for ei := range p.Experiments {
		e := &p.Experiments[ei]
		where := fmt.Sprintf("identify: experiment %q", e.Name)
		if names[e.Name] {
			return fmt.Errorf("%s: name used twice", where)
		}
		names[e.Name] = true
		if !e.Holdout {
			fitted++
		}
		m := e.model(p)
		if m == nil {
			return fmt.Errorf("%s: no model", where)
		}
		if e.Theta == nil && m.NumParams() != np {
			return fmt.Errorf("%s: %d parameters for a model with %d and no Theta map", where, np, m.NumParams())
		}
		if e.Theta != nil && len(e.Theta) != m.NumParams() {
			return fmt.Errorf("%s: Theta maps %d parameters for a model with %d", where, len(e.Theta), m.NumParams())
		}
		for _, i := range append(append([]int(nil), e.Theta...), e.Local...) {
			if i < 0 || i >= np {
				return fmt.Errorf("%s: parameter index %d outside 0..%d", where, i, np-1)
			}
		}
		if e.Z0 == nil {
			return fmt.Errorf("%s: no initial state", where)
		}
		if e.Observation == nil || e.Observation.Len() != len(e.Observables) || len(e.Observables) == 0 {
			return fmt.Errorf("%s: need an Observation with one entry per Observable (%d)", where, len(e.Observables))
		}
		if len(e.Times) == 0 {
			return fmt.Errorf("%s: no observation times", where)
		}
		for i := range e.Times {
			if i > 0 && !(e.Times[i] > e.Times[i-1]) {
				return fmt.Errorf("%s: observation times must increase: t[%d]=%g after %g", where, i, e.Times[i], e.Times[i-1])
			}
		}
		if e.Times[0] < e.T0 {
			return fmt.Errorf("%s: observation time %g before t0 = %g", where, e.Times[0], e.T0)
		}
		nobs := len(e.Observables)
		if len(e.Values) != nobs*len(e.Times) {
			return fmt.Errorf("%s: %d values for %d times × %d observables", where, len(e.Values), len(e.Times), nobs)
		}
		for j, o := range e.Observables {
			if o.Sigma < 0 || math.IsNaN(o.Sigma) || math.IsInf(o.Sigma, 0) {
				return fmt.Errorf("%s: observable %s: sigma %v is not positive", where, o.Name, o.Sigma)
			}
			if o.Sigma == 0 {
				if o.SigmaParam < 0 || o.SigmaParam >= np {
					return fmt.Errorf("%s: observable %s: sigma parameter index %d outside 0..%d", where, o.Name, o.SigmaParam, np-1)
				}
				if q := p.Params[o.SigmaParam]; !(q.Min > 0) {
					return fmt.Errorf("%s: observable %s: the estimated sigma %s needs a positive min", where, o.Name, q.Name)
				}
			}
			for k := range e.Times {
				y := e.Values[k*nobs+j]
				if math.IsNaN(y) || math.IsInf(y, 0) {
					return fmt.Errorf("%s: observable %s at t=%g is %v", where, o.Name, e.Times[k], y)
				}
				if o.LogNormal && !(y > 0) {
					return fmt.Errorf("%s: observable %s is lognormal but its datum at t=%g is %g (must be > 0)", where, o.Name, e.Times[k], y)
				}
			}
		}
	}
	if fitted == 0 {
		return errors.New("identify: every experiment is held out; nothing to fit")
	}
	return nil
}

func (e *Experiment) model(p *Problem) dynamics.Dynamics {
	if e.Model != nil {
		return e.Model
	}
	return p.Model
}

// heldOutLocals returns the parameters local to held-out experiments only.
func (p *Problem) heldOutLocals() map[int]bool {
	out := map[int]bool{}
	for _, e := range p.Experiments {
		if e.Holdout {
			for _, i := range e.Local {
				out[i] = true
			}
		}
	}
	for _, e := range p.Experiments {
		if !e.Holdout {
			for _, i := range e.Local {
				delete(out, i)
			}
		}
	}
	return out
}
