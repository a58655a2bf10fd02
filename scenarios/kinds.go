package scenarios

import (
	"sort"
	"strconv"

	"github.com/physid/physid/dynamics"
)

// A kind is one value of [system] kind: it builds the model from the rest of
// the [system] table and, if the kind has its own way of giving the initial
// state, reads [initial_state]. Adding a system kind is adding one entry to
// kinds; the loader does the rest (parameters by name, data, loss, solver).
type kind struct {
	// keys are the kind's own keys of [system], besides kind.
	keys []string
	// stateKeys are the keys of [initial_state] besides t0; nil means z0.
	stateKeys []string
	// model reads the kind's own keys of [system] ("kind" is already read) and
	// returns the model. Models that implement dynamics.Named get their state
	// and parameter names from it; others get z1..zN and p1..pP.
	model func(sys *table) dynamics.Dynamics
	// declared replaces model for a kind whose parameters the file declares
	// instead of the model defining them (kind expression): it also gets the
	// names of the [[parameters]] tables in file order, which become θ.
	declared func(sys *table, params []string) dynamics.Dynamics
	// initialState reads [initial_state] (t0 is already read) and returns z0;
	// nil means the generic reader: z0 = [Dim() numbers].
	initialState func(st *table, m dynamics.Dynamics, states []string) []float64
}

// kinds maps each [system] kind to its builder.
var kinds = map[string]kind{
	"exponential":    {model: func(*table) dynamics.Dynamics { return dynamics.Exponential{} }},
	"vanderpol":      {model: func(*table) dynamics.Dynamics { return dynamics.VanDerPol{} }},
	"lotka_volterra": {model: func(*table) dynamics.Dynamics { return dynamics.LotkaVolterra{} }},
	"linear":         {model: linearModel, keys: []string{"n"}},
	"expression":     {declared: expressionModel, keys: []string{"state", "inputs", "constants", "equations"}},
	"nbody": {model: nbodyModel, keys: []string{"bodies", "dims", "gravity", "velocity_scale", "min_separation"},
		stateKeys: []string{"positions", "velocities"}, initialState: nbodyState},
}

// maxLinearN bounds [system] n of kind linear (n² parameters, each listed).
const maxLinearN = 100

// linearModel is kind linear: dz/dt = A·z with n = the state dimension.
func linearModel(sys *table) dynamics.Dynamics {
	if !sys.has("n") {
		sys.d.fail(sys.at("n"), "missing: kind linear needs n, the state dimension")
	}
	n := sys.integer("n", 0)
	if sys.d.err == nil && (n < 1 || n > maxLinearN) {
		sys.d.failf(sys.at("n"), "%d is out of range; want 1 to %d", n, maxLinearN)
	}
	if sys.d.err != nil {
		return nil
	}
	return dynamics.Linear{N: n}
}

// kindNames returns the kinds, sorted.
func kindNames() []string {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// allKindKeys returns the [system] keys of every kind.
func allKindKeys() []string {
	var keys []string
	for _, name := range kindNames() {
		keys = append(keys, kinds[name].keys...)
	}
	return keys
}

// modelNames returns the model's state and parameter names.
func modelNames(m dynamics.Dynamics) (states, params []string) {
	if n, ok := m.(dynamics.Named); ok {
		return n.StateNames(), n.ParamNames()
	}
	states = make([]string, m.Dim())
	for i := range states {
		states[i] = "z" + strconv.Itoa(i+1)
	}
	params = make([]string, m.NumParams())
	for i := range params {
		params[i] = "p" + strconv.Itoa(i+1)
	}
	return states, params
}
