package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/physid/physid/scenarios"
)

// signalAt is an input signal, sampled at any t.
type signalAt interface{ At(float64) float64 }

// experimentSignals returns the input signals of experiment ei (none when
// its model cannot be built).
func experimentSignals(sc *scenarios.Scenario, ei int) []signalAt {
	_, sigs, err := sc.ExperimentModel(ei)
	if err != nil {
		return nil
	}
	out := make([]signalAt, len(sigs))
	for i, s := range sigs {
		out[i] = s
	}
	return out
}

var (
	extrapColor = color.RGBA{R: 200, G: 80, B: 0, A: 255}
	dataColor   = color.RGBA{R: 160, G: 160, B: 160, A: 255}
)

// plotExperiment draws fit_<experiment>.png: one panel per observable, data
// (grey dots) beneath the model (solid over the data window, dashed orange
// beyond it: extrapolation), then one panel per input, stacked below.
// Legends sit in headroom added above the curves, so they cover none.
func plotExperiment(path string, sc *scenarios.Scenario, ei int, ts, obs []float64) error {
	e := sc.Experiments[ei]
	role := "estimation"
	if !e.Fit {
		role = "validation, held out of the fit"
	}
	names := sc.ObservableNames()
	m := len(names)
	end := e.Times[len(e.Times)-1]
	var panels []*plot.Plot
	for j, name := range names {
		p, err := observablePanel(sc.Name, e, role, name, j, m, ts, obs)
		if err != nil {
			return err
		}
		panels = append(panels, p)
	}
	for i, s := range experimentSignals(sc, ei) {
		p, err := inputPanel(sc.Inputs[i], s, ts, end)
		if err != nil {
			return err
		}
		panels = append(panels, p)
	}
	for _, p := range panels { // one time axis for all
		p.X.Min, p.X.Max = ts[0], ts[len(ts)-1]
	}
	return savePanelsStacked(path, panels)
}

// observablePanel draws the panel of observable j (of m) of experiment e:
// the data beneath the model at ts, solid up to the last data time and
// dashed beyond it.
func observablePanel(scenario string, e scenarios.Experiment, role, name string, j, m int, ts, obs []float64) (*plot.Plot, error) {
	end := e.Times[len(e.Times)-1]
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s — %s (%s): %s", scenario, e.Name, role, name)
	p.X.Label.Text, p.Y.Label.Text = "t", name
	p.Add(plotter.NewGrid())
	data := make(plotter.XYs, len(e.Times))
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, t := range e.Times {
		data[k].X, data[k].Y = t, e.Values[k*m+j]
		lo, hi = math.Min(lo, data[k].Y), math.Max(hi, data[k].Y)
	}
	s, err := plotter.NewScatter(data)
	if err != nil {
		return nil, err
	}
	s.Color, s.Radius = dataColor, vg.Points(1.2)
	p.Add(s) // beneath the model
	p.Legend.Add("data", s)
	var in, ex plotter.XYs
	for k, t := range ts {
		pt := plotter.XY{X: t, Y: obs[k*m+j]}
		lo, hi = math.Min(lo, pt.Y), math.Max(hi, pt.Y)
		if t <= end {
			in = append(in, pt)
		} else {
			if len(ex) == 0 && len(in) > 0 {
				ex = append(ex, in[len(in)-1])
			}
			ex = append(ex, pt)
		}
	}
	if len(in) > 1 {
		l, err := plotter.NewLine(in)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = plotutil.Color(0), vg.Points(1.5)
		p.Add(l)
		p.Legend.Add("model", l)
	}
	if len(ex) > 1 {
		l, err := plotter.NewLine(ex)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = extrapColor, vg.Points(1.5), dashes
		p.Add(l)
		p.Legend.Add("model, extrapolated", l)
	}
	headroom(p, lo, hi)
	return p, nil
}

// inputPanel draws the input signal s at ts up to end.
func inputPanel(in scenarios.Input, s signalAt, ts []float64, end float64) (*plot.Plot, error) {
	name := in.Name
	p := plot.New()
	p.Title.Text = fmt.Sprintf("input %s (%s)", name, in.Interpolation)
	p.X.Label.Text, p.Y.Label.Text = "t", name
	p.Add(plotter.NewGrid())
	var pts plotter.XYs
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, t := range ts {
		if t > end {
			break
		}
		v := s.At(t)
		pts = append(pts, plotter.XY{X: t, Y: v})
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if len(pts) > 1 {
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = plotutil.Color(2), vg.Points(1)
		p.Add(l)
	}
	headroom(p, lo, hi)
	return p, nil
}

// headroom extends the y range by a quarter above the curves, where the
// legend (top right) then covers nothing.
func headroom(p *plot.Plot, lo, hi float64) {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return
	}
	span := hi - lo
	if span == 0 {
		span = math.Max(1, math.Abs(hi))
	}
	p.Y.Min, p.Y.Max = lo-0.05*span, hi+0.3*span
	p.Legend.Top = true
}

// savePanelsStacked draws the plots one above the other into one PNG.
func savePanelsStacked(path string, panels []*plot.Plot) error {
	return saveTiles(path, panels, 18*vg.Centimeter, vg.Length(len(panels))*8*vg.Centimeter,
		draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Millimeter * 4, PadTop: vg.Millimeter * 3,
			PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3})
}
