package aca

import (
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// Settings configures the solver every method uses, forward and (where there is
// one) backward: the same tableau, tolerances and controller. The zero value (or
// nil) is Dopri5 with rtol 1e-6 and atol 1e-9; see integrate.Settings.
type Settings = integrate.Settings

// ErrLoss means the loss or its gradient was not finite.
var ErrLoss = errors.New("aca: non-finite loss")

// ErrGradient means dL/dθ or dL/dz0 came out NaN or infinite although the
// loss was finite: a derivative of f is infinite somewhere on the solution
// (sqrt at 0, a pole). Every method checks its result and returns this
// instead of a NaN gradient.
var ErrGradient = errors.New("aca: non-finite gradient")

// Problem is a loss at observation times of the solution of an ODE:
// L(z(t_1), …, z(t_K)) with dz/dt = Model(t, z, Theta), z(T0) = Z0.
type Problem struct {
	// Model is the right-hand side.
	Model dynamics.Dynamics
	// Theta are the parameters at which the gradient is taken.
	Theta []float64
	// T0 and Z0 are the initial time and state.
	T0 float64
	Z0 []float64
	// Times are the observation times, strictly monotone (forward or backward
	// from T0); the first may equal T0.
	Times []float64
	// Loss scores the states at Times.
	Loss Loss
}

// Loss scores the states at the observation times. It is the contract between a
// problem and the gradient methods: the methods need only L and ∂L/∂z(t_k).
type Loss interface {
	// Eval returns L for the states z (len(Times) rows of Dim() values,
	// row-major) and writes ∂L/∂z, of the same shape, into grad.
	Eval(grad, z []float64) float64
}

// Stats describes the work and memory of one gradient evaluation. NFE counts
// evaluations of f and of its JVP or VJP alike, each costing about one f.
type Stats struct {
	// NFEForward and NFEBackward count evaluations in each pass.
	NFEForward, NFEBackward int
	// Accepted and Rejected count the forward solve's steps.
	Accepted, Rejected int
	// BackwardAccepted and BackwardRejected count the steps of a backward solve
	// (adjoint method only).
	BackwardAccepted, BackwardRejected int
	// Bytes is the memory the method holds for one gradient: what it keeps
	// from the forward pass for the backward pass (ACA's record of accepted
	// steps, naive's tape, the adjoint's final state), its buffers of states
	// and loss gradients at the observation times, the augmented state and
	// output buffer of a backward or sensitivity solve, and the sensitivities
	// it returns. It excludes the solver's per-step workspace (stage vectors),
	// which every method shares. For ACA with Checkpoints it is the peak,
	// with the states replayed in the backward pass.
	Bytes int
	// ReconstructionError is how far the adjoint method's backward solve
	// lands from the known initial state, in units of the solver's
	// tolerances: the RMS over components of (z̃(t0) − z0)_i / (atol +
	// rtol·|z0_i|), the solver's error-norm convention. It measures, for free,
	// the drift that makes the adjoint gradient wrong (paper Sec. 3.2, Fig. 4):
	// near 1 the backward z is as good as the tolerances, 100 means it drifted
	// a hundred tolerance units and the gradient has lost about two digits.
	// Only the adjoint method sets it (HasReconstruction tells); it is 0 for the
	// others, whose backward pass reuses the forward states.
	ReconstructionError float64
	// HasReconstruction is true when ReconstructionError was measured (adjoint
	// method only).
	HasReconstruction bool
	// Jacobians and Factorizations count the evaluations of ∂f/∂z and the LU
	// factorizations of implicit methods, in both passes (ACA's backward pass
	// takes one of each per implicit stage); NewtonFailures counts the
	// forward attempts whose Newton iteration failed (and were retried with
	// a smaller step).
	Jacobians, Factorizations, NewtonFailures int
	// Recomputed counts the accepted steps the backward pass replayed from
	// a held state (ACA with Checkpoints; 0 otherwise). Their evaluations
	// are in NFEBackward.
	Recomputed int
}

// Result is the loss and its gradients.
type Result struct {
	// Loss is L at the problem's parameters.
	Loss float64
	// Theta is dL/dθ and Z0 is dL/dz0.
	Theta, Z0 []float64
	// States are z(t_k) at the observation times, row-major (len(Times)×Dim).
	States []float64
	// Sensitivities are S = ∂z/∂(θ, z0) at the observation times, from the
	// Forward method only (nil from the others): len(Times) blocks of dim×cols,
	// row-major, with cols = #θ (+ dim with Forward.WithZ0), the θ columns
	// first and then the z0 columns.
	Sensitivities []float64
	// Stats counts the work.
	Stats Stats
}

// Method is a way of computing the gradient. The methods of this package keep
// their buffers between calls, so a Method value is not safe for concurrent
// use: use one per goroutine.
type Method interface {
	// Name is the method's name as used in files and on the command line.
	Name() string
	// Gradient evaluates the problem's loss and its gradients.
	Gradient(p *Problem, s *Settings) (*Result, error)
}

// Gradient evaluates p's loss and gradients with method m; nil settings mean the
// defaults and a nil method means ACA.
func Gradient(p *Problem, s *Settings, m Method) (*Result, error) {
	if m == nil {
		m = &ACA{}
	}
	return m.Gradient(p, s)
}

// Methods returns one fresh value of each method, in the order aca, adjoint,
// naive, forward.
func Methods() []Method {
	return []Method{&ACA{}, &Adjoint{}, &Naive{}, &Forward{}}
}

// ByName returns a fresh method value for a name: aca, adjoint, naive or forward.
func ByName(name string) (Method, error) {
	for _, m := range Methods() {
		if m.Name() == name {
			return m, nil
		}
	}
	return nil, fmt.Errorf("aca: unknown gradient method %q (allowed: aca, adjoint, naive, forward)", name)
}

// Fresh returns a new value of m's method for another goroutine: the same
// exported settings (Forward.WithZ0, say) and none of the buffers; nil
// means ACA. Methods are pointers to structs whose exported fields are
// settings; a method of another shape is returned as it is and must then be
// safe for concurrent use.
func Fresh(m Method) Method {
	if m == nil {
		return &ACA{}
	}
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return m
	}
	old := v.Elem()
	fresh := reflect.New(old.Type())
	for i := range old.NumField() {
		if old.Type().Field(i).IsExported() {
			fresh.Elem().Field(i).Set(old.Field(i))
		}
	}
	return fresh.Interface().(Method)
}

// check validates the problem's shapes; mismatches are programmer errors.
func (p *Problem) check() {
	if p.Model == nil || p.Loss == nil {
		panic("aca: Problem needs a Model and a Loss")
	}
	if len(p.Z0) != p.Model.Dim() || len(p.Theta) != p.Model.NumParams() {
		panic(fmt.Sprintf("aca: len(Z0)=%d len(Theta)=%d; the model wants %d and %d",
			len(p.Z0), len(p.Theta), p.Model.Dim(), p.Model.NumParams()))
	}
}

// evalLoss evaluates the loss and its gradient g, checking that both are finite.
func evalLoss(p *Problem, g, states []float64) (float64, error) {
	l := p.Loss.Eval(g, states)
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return l, fmt.Errorf("%w: L = %v", ErrLoss, l)
	}
	if i := firstNonFinite(g); i >= 0 {
		return l, fmt.Errorf("%w: dL/dz[%d] = %v", ErrLoss, i, g[i])
	}
	return l, nil
}

// checkGradient returns an ErrGradient error when a component of res.Theta
// or res.Z0 is not finite; where says where it was found ("" for the end of
// the method). The model's own account (dynamics.ErrReporter) is added when
// it has one: it names the equation and the time of the failing derivative.
func checkGradient(p *Problem, res *Result, where string) error {
	name, i := "", -1
	if i = firstNonFinite(res.Theta); i >= 0 {
		name = fmt.Sprintf("dL/dθ[%d] = %v", i, res.Theta[i])
	} else if i = firstNonFinite(res.Z0); i >= 0 {
		name = fmt.Sprintf("dL/dz0[%d] = %v", i, res.Z0[i])
	} else {
		return nil
	}
	msg := fmt.Sprintf("%s: %s", ErrGradient.Error(), name)
	if where != "" {
		msg += " " + where
	}
	if r, ok := p.Model.(dynamics.ErrReporter); ok {
		if err := r.Err(); err != nil {
			return &gradientError{msg: msg, cause: err}
		}
	}
	return &gradientError{msg: msg + "; a derivative of f is not finite on the solution (e.g. sqrt or a power below 1 at 0)"}
}

// gradientError is ErrGradient with its details and the model's cause.
type gradientError struct {
	msg   string
	cause error
}

func (e *gradientError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

// Unwrap lets errors.Is find ErrGradient and the model's own error.
func (e *gradientError) Unwrap() []error {
	if e.cause != nil {
		return []error{ErrGradient, e.cause}
	}
	return []error{ErrGradient}
}

func firstNonFinite(x []float64) int {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}

// grow returns x with length n, reusing its storage when large enough.
func grow(x []float64, n int) []float64 {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]float64, n)
}

// solverCache keeps a solver between gradient calls while the settings stay
// the same, so that repeated calls reuse its workspace instead of allocating
// stage vectors of the model's dimension every time.
type solverCache struct {
	solver *integrate.Solver
	set    Settings
}

// get returns a solver for s (nil means the defaults).
func (c *solverCache) get(s *Settings) *integrate.Solver {
	var v Settings
	if s != nil {
		v = *s
	}
	if c.solver == nil || !sameSettings(c.set, v) {
		c.solver, c.set = integrate.NewSolver(&v), v
	}
	return c.solver
}

// sameSettings reports whether a and b are equal. Settings hold a controller,
// an interface: one of a type that cannot be compared never counts as the same
// (the cache then builds a new solver) instead of panicking.
func sameSettings(a, b Settings) bool {
	return comparable(a.Controller) && comparable(b.Controller) && a == b
}

func comparable(c integrate.Controller) bool {
	return c == nil || reflect.TypeOf(c).Comparable()
}

// t0Outputs counts the leading observation times equal to T0: their states are
// z0 itself, so their loss gradient goes straight to dL/dz0.
func t0Outputs(p *Problem) int {
	n := 0
	for n < len(p.Times) && p.Times[n] == p.T0 {
		n++
	}
	return n
}

// forward is the forward pass every reverse-mode method shares: solve through
// the observation times (reporting attempts to rec), evaluate the loss and its
// gradient. The states and gradient live in the method's reusable buffers.
type forward struct {
	states []float64 // z(t_k), row-major
	g      []float64 // ∂L/∂z(t_k)
}

// run solves and evaluates the loss; the result carries the forward statistics,
// the loss and a copy of the states.
func (f *forward) run(p *Problem, solver *integrate.Solver, rec integrate.Recorder) (*Result, error) {
	p.check()
	n := p.Model.Dim()
	f.states = grow(f.states, n*len(p.Times))
	st, err := solver.Solve(f.states, p.Model, p.Theta, p.T0, p.Z0, p.Times, rec)
	res := &Result{Stats: forwardStats(st, 1)}
	if err != nil {
		return res, err
	}
	f.g = grow(f.g, len(f.states))
	if res.Loss, err = evalLoss(p, f.g, f.states); err != nil {
		return res, err
	}
	res.States = append([]float64(nil), f.states...)
	return res, nil
}

// forwardStats is the Stats of a forward solve whose evaluations each cost
// perEval evaluations of f (1 + cols for the sensitivity system).
func forwardStats(st integrate.Stats, perEval int) Stats {
	return Stats{NFEForward: st.NFE * perEval, Accepted: st.Accepted, Rejected: st.Rejected,
		Jacobians: st.Jacobians, Factorizations: st.Factorizations, NewtonFailures: st.NewtonFailures}
}

// bytes is the memory of the forward pass's buffers: the states and the loss
// gradient at the observation times.
func (f *forward) bytes() int { return 8 * (len(f.states) + len(f.g)) }
