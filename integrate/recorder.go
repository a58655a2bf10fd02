package integrate

// Attempt describes one attempted step to a Recorder and to the Controller. Its
// slices are the solver's buffers, valid only during the call: a recorder copies
// what it keeps.
type Attempt struct {
	// T is the start time and H the signed step size actually tried.
	T, H float64
	// HProposed is the step the controller proposed; H differs from it only when
	// the step was shortened (or stretched by at most 1%) to land on an output
	// time or a breakpoint.
	HProposed float64
	// Landing is true when the step ends exactly on output time Output.
	Landing bool
	// Output is the index of the output time at the step's end when Landing,
	// else −1.
	Output int
	// First and Inside describe the output times strictly inside the step
	// (dense output, Settings.Land false): outputs First … First+Inside−1,
	// which the solver writes, if the attempt is accepted, by the tableau's
	// continuous extension at θ_k = (times[k] − T)/H:
	// z(times[k]) = Z + H Σ_s b_s(θ_k) K_s (Tableau.DenseWeights). Inside is 0
	// when every step lands on each output.
	First, Inside int
	// Z is the state at T and ZNew the proposed state at T+H.
	Z, ZNew []float64
	// K holds the stage derivatives K_s of the step, the general output of a
	// Runge–Kutta step (explicit or implicit): Z + H Σ B[s]K_s is ZNew, and a
	// continuous extension interpolates the step with them, and callers that
	// replay a step read them.
	K [][]float64
	// Err is the error norm (0 for fixed-step methods); the step is accepted
	// when the controller accepts Err (PI: Err ≤ 1).
	Err float64
	// ErrPrev is the controller's memory: the error norm of the last accepted
	// step (1 before the first).
	ErrPrev float64
	// AfterReject is true when the previous attempt was rejected.
	AfterReject bool
	// Accepted reports the outcome. An attempt whose Newton iteration failed
	// (implicit methods) is rejected with Err = +Inf, and its K is not
	// meaningful.
	Accepted bool
}

// MethodRecorder is an optional interface of a Recorder that needs to know
// which tableau made each attempt: the solver calls RecordMethod before the
// first attempt with its method, and again whenever Auto switches between
// its explicit and its implicit method; the attempts that follow are that
// method's.
type MethodRecorder interface {
	RecordMethod(tb *Tableau)
}

// BreakpointRecorder is an optional interface of a Recorder that replays the
// program of a solve with breakpoints (dynamics.Breakpointer): right after
// recording an attempt whose step was cut to end bpGap before breakpoint b
// (its H is then b − 8ε·max(1, |b|) − T, not the proposed step), the solver
// calls RecordBreakpoint(b). If that attempt is accepted, the solve moves to
// t = b exactly, evaluates f(b, ZNew) afresh as the first stage of the next
// step (no FSAL across the jump) and resumes with HProposed.
type BreakpointRecorder interface {
	RecordBreakpoint(b float64)
}

// Recorder receives every attempted step of a solve, accepted or not. Callers
// that need the steps (to plot them, or to replay the solve) keep what they
// need; the solver itself keeps nothing.
type Recorder interface {
	Record(a *Attempt)
}

// Stopper is an optional interface of a Recorder that marks output times the
// solver must land on although it has a dense output: Stop(k) true makes
// output k the end of a step, so that the state there is a step-end value.
// The last output time is always a stop; a Jumper makes every output one.
type Stopper interface {
	Stop(k int) bool
}

// Jumper is an optional interface of a Recorder: after the solver lands on output
// time k (and has written z there to dst) it calls Jump, which may change z in
// place to restart from a new state (an impulse applied at a measurement time,
// say). Jump reports whether it changed z. Outputs at t0 itself are not passed
// to Jump. A Jumper makes the solver land on every output time (it may jump
// at any of them), dense output or not.
type Jumper interface {
	Jump(k int, t float64, z []float64) bool
}
