package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/scenarios"
)

// readResume reads DIR/result.json for --resume, with the full histories
// from DIR/history.csv when result.json holds thinned ones. It is read before
// the fit replaces the folder, so --resume DIR may also be the --out.
func readResume(dir string) (*resultJSON, error) {
	path := filepath.Join(dir, "result.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--resume: %v", err)
	}
	var r resultJSON
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, usagef("--resume: %s is not a result.json: %v", path, err)
	}
	if len(r.ParamOrder) == 0 || len(r.Starts) == 0 {
		return nil, usagef("--resume: %s holds no fit to continue (no parameter_order or starts)", path)
	}
	if r.HistoryThinned {
		full, err := readHistoryCSV(filepath.Join(dir, "history.csv"), r.ParamOrder)
		if err != nil {
			return nil, usagef("--resume: %v", err)
		}
		for i := range r.Starts {
			if h, ok := full[r.Starts[i].Start]; ok {
				r.Starts[i].History = h
			}
		}
	}
	return &r, nil
}

// checkResumeMatch checks that the saved fit belongs to this scenario and
// optimizer: the same parameters in the same order, the same fixed ones, the
// same number of starts and state vectors of the right lengths. A mismatch
// used to panic in the objective (index out of range) or fail as a runtime
// error; it is a usage error naming what differs.
func checkResumeMatch(dir string, prev *resultJSON, sc *scenarios.Scenario, opt identify.Optimizer, opts *identify.Options) error {
	path := filepath.Join(dir, "result.json")
	if prev.Scenario != sc.Name && !slices.Equal(prev.ParamOrder, sc.ParamNames) {
		return usagef("--resume: %s is a fit of scenario %q with parameters [%s]; %s is %q with [%s]",
			path, prev.Scenario, strings.Join(prev.ParamOrder, ", "), sc.File, sc.Name, strings.Join(sc.ParamNames, ", "))
	}
	if !slices.Equal(prev.ParamOrder, sc.ParamNames) {
		return usagef("--resume: %s was fitted with the parameters [%s]; %s has [%s]",
			path, strings.Join(prev.ParamOrder, ", "), sc.File, strings.Join(sc.ParamNames, ", "))
	}
	if prev.Optimizer != opt.Name() {
		return usagef("--resume: %s was fitted with %s, not %s", path, prev.Optimizer, opt.Name())
	}
	var fixed []string
	for _, p := range sc.Params {
		if p.Fixed {
			fixed = append(fixed, p.Name)
		}
	}
	if prev.Fixed != nil && !slices.Equal(prev.Fixed, fixed) {
		return usagef("--resume: %s was fitted with the fixed parameters [%s]; %s fixes [%s]",
			path, strings.Join(prev.Fixed, ", "), sc.File, strings.Join(fixed, ", "))
	}
	starts := max(opts.Starts, 1)
	if len(prev.Starts) != starts {
		return usagef("--resume: %s has %d starts; %s asks for %d", path, len(prev.Starts), sc.File, starts)
	}
	np, nf := len(sc.ParamNames), len(sc.ParamNames)-len(fixed)
	_, adam := opt.(*identify.Adam)
	for i, s := range prev.Starts {
		if s.Start != i {
			return usagef("--resume: %s: starts[%d] is start %d", path, i, s.Start)
		}
		if s.Init != nil && len(s.Init) != np || s.Params != nil && len(s.Params) != np {
			return usagef("--resume: %s: start %d holds %d init and %d params values; %s has %d parameters",
				path, i, len(s.Init), len(s.Params), sc.File, np)
		}
		if s.Epochs < 0 {
			return usagef("--resume: %s: start %d has %d epochs", path, i, s.Epochs)
		}
		for _, h := range s.History {
			if len(h.Params) != np {
				return usagef("--resume: %s: start %d's history at epoch %d holds %d values; %s has %d parameters", path, i, h.Epoch, len(h.Params), sc.File, np)
			}
		}
		if st := s.State; adam && st != nil {
			if len(st.U) != nf || len(st.M) != nf || len(st.V) != nf {
				return usagef("--resume: %s: start %d's Adam state has %d, %d and %d values (u, m, v); %s has %d free parameters (a parameter fixed or freed since?)",
					path, i, len(st.U), len(st.M), len(st.V), sc.File, nf)
			}
			if st.Step < 0 {
				return usagef("--resume: %s: start %d's Adam state is at step %d", path, i, st.Step)
			}
		}
	}
	return nil
}
