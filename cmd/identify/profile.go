package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/scenarios"
)

// profileJSON is profile.json; its field names are a stable contract.
type profileJSON struct {
	Parameters map[string]paramProfileJSON `json:"parameters"`
}

// paramProfileJSON is one parameter's profile: a side of an interval that was
// not found (a bound, the point limit or failing fits came first) is null.
type paramProfileJSON struct {
	Value        float64      `json:"value"`
	Lower        *float64     `json:"lower"`
	Upper        *float64     `json:"upper"`
	WaldLower    *float64     `json:"wald_lower"`
	WaldUpper    *float64     `json:"wald_upper"`
	Identifiable bool         `json:"identifiable"`
	Points       [][2]float64 `json:"points"` // [value, loss], sorted by value
}

func profileCommand() command {
	return command{
		name: "profile",
		args: "SCENARIO [--params p1,p2] [--points N] [--out DIR] [--optimizer adam|lbfgs|lm] [--epochs N] [--json] [--shard I/N|auto]",
		summary: `Fit all free parameters, then profile the likelihood of each one: fix it on a
grid around the optimum, re-fit the others, and walk both ways until
(n/2)·log(L/L̂) crosses χ²₁(0.95)/2 = 1.92 or a bound or the point limit is
reached. Prints the 95% profile and Wald intervals and writes DIR/profile.json
and DIR/profile_<name>.png per parameter (default DIR: out/<scenario file
name>-profile). A parameter whose interval has an open side is reported as
not identifiable.`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var o profileFlags
			fset.StringVar(&o.params, "params", "", "comma-separated parameters to profile (default: every free parameter)")
			fset.IntVar(&o.points, "points", 20, "maximum fits on each side of the optimum")
			fset.StringVar(&o.out, "out", "", "output directory (default out/<scenario file name>-profile)")
			fset.StringVar(&o.optimizer, "optimizer", "", "optimizer: adam, lbfgs or lm (default: the scenario's [fit] optimizer)")
			fset.IntVar(&o.epochs, "epochs", 0, "maximum epochs of every fit (default: the scenario's [fit] epochs)")
			fset.BoolVar(&o.json, "json", false, "print profile.json to stdout instead of the table")
			sh := addShardFlag(fset)
			return func(pos []string, stdout, stderr io.Writer) error {
				o.shard = *sh
				if err := oneScenario("profile", pos, ""); err != nil {
					return err
				}
				o.file = pos[0]
				return profile(o, stdout, stderr)
			}
		},
	}
}

// maxProfilePoints bounds --points: each point is a fit.
const maxProfilePoints = 1000

type profileFlags struct {
	file, params, out, optimizer string
	points, epochs               int
	json                         bool
	shard                        string // --shard: this run is one shard (see shardprofile.go)
}

func profile(o profileFlags, stdout, progressOut io.Writer) error {
	sc, p, opts, opt, idx, err := prepareProfile(o)
	if err != nil {
		return err
	}
	dir := o.out
	if dir == "" {
		dir = defaultOut(o.file) + "-profile"
	}
	if err := checkOutDir("--out", dir); err != nil { // before the computation
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	set := identify.ProfileSettings{Params: idx, Points: o.points, Progress: profileProgress(progressOut, p, o.points)}
	if o.shard != "" {
		return profileShard(ctx, o, dir, p, opts, opt, set, stdout)
	}
	res, err := identify.Profile(ctx, p, opts, opt, set)
	if errors.Is(err, identify.ErrNotProfilable) {
		return fitError{fmt.Errorf("%s: %w", o.file, err)}
	} else if err != nil {
		return runtimeError{fmt.Errorf("%s: %w", o.file, err)}
	}
	return finishProfile(dir, o.json, sc, res, stdout, progressOut)
}

// profileProgress prints a line per profile fit.
func profileProgress(w io.Writer, p *identify.Problem, points int) func(identify.ProfileProgress) {
	return func(ev identify.ProfileProgress) {
		side := "upper"
		if ev.Side < 0 {
			side = "lower"
		}
		fmt.Fprintf(w, "profile %s %s %d/%d: %s = %.6g statistic %.4g\n",
			p.Params[ev.Param].Name, side, ev.Point, points, p.Params[ev.Param].Name, ev.Value, ev.Stat)
	}
}

// prepareProfile checks the flags and loads the scenario: the profile that a
// single-machine run, each of its shards and their merge all set up alike.
func prepareProfile(o profileFlags) (sc *scenarios.Scenario, p *identify.Problem, opts *identify.Options, opt identify.Optimizer, idx []int, err error) {
	fail := func(err error) (*scenarios.Scenario, *identify.Problem, *identify.Options, identify.Optimizer, []int, error) {
		return nil, nil, nil, nil, nil, err
	}
	if o.points < 1 || o.points > maxProfilePoints {
		return fail(usagef("--points: %d is out of range; want 1 to %d", o.points, maxProfilePoints))
	}
	if o.epochs < 0 {
		return fail(usagef("--epochs: %d is negative", o.epochs))
	}
	sc, err = scenarios.Load(o.file)
	if err != nil {
		return fail(err)
	}
	p = sc.FitProblem()
	opts = sc.Options()
	if o.epochs > 0 {
		opts.Epochs = o.epochs
	}
	if o.optimizer != "" {
		if !contains(scenarios.Optimizers, o.optimizer) {
			return fail(usagef("--optimizer: unknown optimizer %q (allowed: %s)", o.optimizer, strings.Join(scenarios.Optimizers, ", ")))
		}
		sc.Fit.Optimizer = o.optimizer
	}
	opt, err = sc.Optimizer()
	if err != nil {
		return fail(err)
	}
	idx, err = profileParams(p, o.params)
	if err != nil {
		return fail(err)
	}
	return sc, p, opts, opt, idx, nil
}

// finishProfile writes profile.json and the plots and reports them: the one
// output stage of a single-machine profile and of the merge of its shards.
func finishProfile(dir string, jsonOut bool, sc *scenarios.Scenario, res *identify.ProfileResult, stdout, progressOut io.Writer) error {
	out := buildProfile(res)
	if err := writeJSON(filepath.Join(dir, "profile.json"), out); err != nil {
		return err
	}
	files := []string{filepath.Join(dir, "profile.json")}
	for i := range res.Profiles {
		path := filepath.Join(dir, "profile_"+fileSafe(res.Profiles[i].Name)+".png")
		if err := plotProfile(path, sc.Name, res, &res.Profiles[i]); err != nil {
			return runtimeError{err}
		}
		files = append(files, path)
	}
	if jsonOut {
		if err := printJSON(stdout, out); err != nil {
			return err
		}
	} else {
		printProfile(stdout, sc, res, files)
	}
	if res.Interrupted {
		fmt.Fprintf(progressOut, "identify: interrupted; the profiles so far are in %s\n", dir)
	}
	return nil
}

// profileParams maps --params to parameter indices (nil: every free one).
func profileParams(p *identify.Problem, list string) ([]int, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	names := make([]string, len(p.Params))
	for i, q := range p.Params {
		names[i] = q.Name
	}
	var idx []int
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		i := -1
		for j, n := range names {
			if n == name {
				i = j
			}
		}
		switch {
		case name == "":
			return nil, usagef("--params: empty parameter name in %q", list)
		case i < 0:
			return nil, usagef("--params: unknown parameter %q (allowed: %s)", name, strings.Join(names, ", "))
		case p.Params[i].Fixed:
			return nil, usagef("--params: parameter %s is fixed; only free parameters have a profile (set fixed = false)", name)
		case seen[name]:
			return nil, usagef("--params: parameter %s is listed twice", name)
		}
		seen[name] = true
		idx = append(idx, i)
	}
	return idx, nil
}

func buildProfile(res *identify.ProfileResult) *profileJSON {
	out := &profileJSON{Parameters: map[string]paramProfileJSON{}}
	for _, pp := range res.Profiles {
		pj := paramProfileJSON{Value: pp.Value, WaldLower: finite(pp.WaldLower), WaldUpper: finite(pp.WaldUpper),
			Identifiable: pp.Identifiable(), Points: make([][2]float64, len(pp.Points))}
		if pp.Lower.Found() {
			pj.Lower = finite(pp.Lower.Limit)
		}
		if pp.Upper.Found() {
			pj.Upper = finite(pp.Upper.Limit)
		}
		for i, pt := range pp.Points {
			pj.Points[i] = [2]float64{pt.Value, pt.Loss}
		}
		out.Parameters[pp.Name] = pj
	}
	return out
}

func printProfile(w io.Writer, sc *scenarios.Scenario, res *identify.ProfileResult, files []string) {
	statistic := "(n/2)·log(L/L̂)"
	if sc.Likelihood() && len(sc.Observables) > 0 {
		statistic = "NLL − NLL̂"
	}
	fmt.Fprintf(w, "%s (%s): %.0f%% profile-likelihood intervals, n = %d observations, threshold %s ≤ %.6g; optimum loss %.6g\n\n",
		sc.Name, sc.File, 100*res.Level, res.Observations, statistic, res.Threshold, res.Optimum.Loss)
	fmt.Fprintf(w, "%-12s %17s %17s %17s %17s %17s %12s\n", "parameter", "value", "profile lower", "profile upper", "Wald lower", "Wald upper", "identifiable")
	side := func(s identify.ProfileSide) string {
		if !s.Found() {
			return "open (" + s.Stop + ")"
		}
		return fmtLimit(s.Limit)
	}
	for _, pp := range res.Profiles {
		fmt.Fprintf(w, "%-12s %17.10g %17s %17s %17s %17s %12v\n", pp.Name, pp.Value, side(pp.Lower), side(pp.Upper),
			fmtLimit(pp.WaldLower), fmtLimit(pp.WaldUpper), pp.Identifiable())
	}
	for _, pp := range res.Profiles {
		if !pp.Identifiable() {
			for _, s := range []struct {
				name string
				side identify.ProfileSide
			}{{"lower", pp.Lower}, {"upper", pp.Upper}} {
				if !s.side.Found() {
					fmt.Fprintf(w, "\n%s is not identifiable: the %s side is open: %s", pp.Name, s.name, s.side.Message)
				}
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "\nwrote %s\n", strings.Join(files, ", "))
}

// fmtLimit prints an interval end, "-" when there is none.
func fmtLimit(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return fmt.Sprintf("%.10g", x)
}

// Profile plot colours and the dash pattern of the threshold.
var (
	profileRed   = color.RGBA{R: 200, A: 255}
	profileBlue  = color.RGBA{B: 200, A: 255}
	profileGrey  = color.RGBA{R: 150, G: 150, B: 150, A: 255}
	profileBlack = color.RGBA{A: 255}
	profileDash  = []vg.Length{vg.Points(4), vg.Points(3)}
)

// fileSafe keeps letters, digits, '-', '_' and '.' of a name for a file name.
func fileSafe(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, name)
}

// plotProfile draws the statistic (n/2)·log(L/L̂) against the parameter, the
// threshold (dashed), the optimum (a dot), the profile interval (solid
// verticals) and the Wald interval (grey dashed verticals).
func plotProfile(path, scenario string, res *identify.ProfileResult, pp *identify.ParamProfile) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: profile of %s", scenario, pp.Name)
	p.X.Label.Text, p.Y.Label.Text = pp.Name, "(n/2)·log(L / L_min)"
	p.Add(plotter.NewGrid())
	var pts plotter.XYs
	ymax := res.Threshold
	for _, pt := range pp.Points {
		pts = append(pts, plotter.XY{X: pt.Value, Y: pt.Stat})
		ymax = math.Max(ymax, pt.Stat)
	}
	ymax = math.Min(ymax, 4*res.Threshold) // keep the threshold region readable
	lp, sp, err := plotter.NewLinePoints(pts)
	if err != nil {
		return err
	}
	p.Add(lp, sp)
	p.Legend.Add("profile", lp, sp)
	xmin, xmax := pp.Points[0].Value, pp.Points[len(pp.Points)-1].Value
	for _, v := range []float64{pp.WaldLower, pp.WaldUpper} {
		if !math.IsNaN(v) {
			xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
		}
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, math.Min(0, p.Y.Min), ymax*1.45 // room for the legend
	thr, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: res.Threshold}, {X: xmax, Y: res.Threshold}})
	if err != nil {
		return err
	}
	thr.Dashes = profileDash
	thr.Color = profileRed
	p.Add(thr)
	p.Legend.Add(fmt.Sprintf("threshold %.3g", res.Threshold), thr)
	vertical := func(x float64, c color.Color, dashed bool) (*plotter.Line, error) {
		l, err := plotter.NewLine(plotter.XYs{{X: x, Y: p.Y.Min}, {X: x, Y: p.Y.Max}})
		if err != nil {
			return nil, err
		}
		l.Color = c
		if dashed {
			l.Dashes = profileDash
		}
		p.Add(l)
		return l, nil
	}
	var prof, wald *plotter.Line
	for _, s := range []identify.ProfileSide{pp.Lower, pp.Upper} {
		if s.Found() {
			if prof, err = vertical(s.Limit, profileBlue, false); err != nil {
				return err
			}
		}
	}
	if prof != nil {
		p.Legend.Add("profile interval", prof)
	}
	for _, v := range []float64{pp.WaldLower, pp.WaldUpper} {
		if !math.IsNaN(v) {
			if wald, err = vertical(v, profileGrey, true); err != nil {
				return err
			}
		}
	}
	if wald != nil {
		p.Legend.Add("Wald interval", wald)
	}
	opt, err := plotter.NewScatter(plotter.XYs{{X: pp.Value, Y: 0}})
	if err != nil {
		return err
	}
	opt.GlyphStyle.Radius = vg.Points(4)
	opt.GlyphStyle.Color = profileBlack
	p.Add(opt)
	p.Legend.Add("optimum", opt)
	p.Legend.Top = true
	return savePlot(path, p)
}
