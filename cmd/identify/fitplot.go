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
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/nbody"
	"github.com/physid/physid/scenarios"
)

var (
	truthColor = color.RGBA{A: 255}
	obsColor   = color.RGBA{R: 150, G: 150, B: 150, A: 255}
	dashes     = []vg.Length{vg.Points(4), vg.Points(3)}
)

// plotOrbits draws the fitted trajectory with its extrapolation (solid), the
// truth (dashed) and the observations (grey dots). N-body systems get their
// orbits in the x–y and x–z projections; other systems one panel per observed
// state against t.
func plotOrbits(path string, sc *scenarios.Scenario, ex *identify.Extrapolation) error {
	var panels []*plot.Plot
	var err error
	if g, ok := sc.Model.(nbody.Gravity); ok && g.Dims >= 2 {
		projections := [][2]int{{0, 1}}
		if g.Dims >= 3 {
			projections = append(projections, [2]int{0, 2})
		}
		for _, pr := range projections {
			p, perr := orbitPanel(sc, g, ex, pr[0], pr[1])
			if perr != nil {
				return perr
			}
			panels = append(panels, p)
		}
	} else {
		panels, err = timePanels(sc, ex)
		if err != nil {
			return err
		}
	}
	return savePanels(path, panels)
}

var axisNames = []string{"x", "y", "z"}

func axisName(c int) string {
	if c < len(axisNames) {
		return axisNames[c]
	}
	return fmt.Sprintf("r_%d", c+1)
}

// obsColumn returns the column of state index i among the observed states, or −1.
func obsColumn(sc *scenarios.Scenario, i int) int {
	for c, j := range sc.Observed {
		if j == i {
			return c
		}
	}
	return -1
}

func orbitPanel(sc *scenarios.Scenario, g nbody.Gravity, ex *identify.Extrapolation, a, b int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %s–%s projection (%s)", sc.Name, axisName(a), axisName(b), curveKey(ex))
	p.X.Label.Text, p.Y.Label.Text = axisName(a), axisName(b)
	p.Add(plotter.NewGrid())
	n, nobs := sc.Model.Dim(), len(sc.Observed)
	var observed []plot.Plotter // drawn first, beneath the lines
	for body := 0; body < g.Bodies; body++ {
		ia, ib := body*g.Dims+a, body*g.Dims+b
		if ca, cb := obsColumn(sc, ia), obsColumn(sc, ib); ca >= 0 && cb >= 0 {
			pts := make(plotter.XYs, len(sc.Times))
			for k := range sc.Times {
				pts[k].X, pts[k].Y = sc.Values[k*nobs+ca], sc.Values[k*nobs+cb]
			}
			s, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, err
			}
			s.Color, s.Radius = obsColor, vg.Points(1)
			observed = append(observed, s)
		}
	}
	p.Add(observed...)
	for body := 0; body < g.Bodies; body++ {
		ia, ib := body*g.Dims+a, body*g.Dims+b
		fit := make(plotter.XYs, len(ex.Times))
		for k := range ex.Times {
			fit[k].X, fit[k].Y = ex.Fit[k*n+ia], ex.Fit[k*n+ib]
		}
		l, err := plotter.NewLine(fit)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = plotutil.Color(body), vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("body %d", body+1), l)
		if ex.Truth != nil {
			tr := make(plotter.XYs, len(ex.Times))
			for k := range ex.Times {
				tr[k].X, tr[k].Y = ex.Truth[k*n+ia], ex.Truth[k*n+ib]
			}
			lt, err := plotter.NewLine(tr)
			if err != nil {
				return nil, err
			}
			lt.Color, lt.Dashes, lt.Width = truthColor, dashes, vg.Points(0.8)
			p.Add(lt)
		}
	}
	headroom(p, p.Y.Min, p.Y.Max) // the legend sits above the orbits
	return p, nil
}

// curveKey explains the line styles; the truth only when there is one.
func curveKey(ex *identify.Extrapolation) string {
	if ex.Truth != nil {
		return "fit solid, truth dashed, observed grey"
	}
	return "fit solid, observed grey"
}

func timePanels(sc *scenarios.Scenario, ex *identify.Extrapolation) ([]*plot.Plot, error) {
	n, nobs := sc.Model.Dim(), len(sc.Observed)
	var panels []*plot.Plot
	for c, i := range sc.Observed {
		if c == 4 {
			break // four panels at most
		}
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s: %s (%s)", sc.Name, sc.StateNames[i], curveKey(ex))
		p.X.Label.Text, p.Y.Label.Text = "t", sc.StateNames[i]
		p.Add(plotter.NewGrid())
		obs := make(plotter.XYs, len(sc.Times))
		for k, t := range sc.Times {
			obs[k].X, obs[k].Y = t, sc.Values[k*nobs+c]
		}
		s, err := plotter.NewScatter(obs)
		if err != nil {
			return nil, err
		}
		s.Color, s.Radius = obsColor, vg.Points(1.5)
		fit := make(plotter.XYs, len(ex.Times))
		for k, t := range ex.Times {
			fit[k].X, fit[k].Y = t, ex.Fit[k*n+i]
		}
		l, err := plotter.NewLine(fit)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = plotutil.Color(0), vg.Points(1.5)
		p.Add(s, l)
		if ex.Truth != nil {
			tr := make(plotter.XYs, len(ex.Times))
			for k, t := range ex.Times {
				tr[k].X, tr[k].Y = t, ex.Truth[k*n+i]
			}
			lt, err := plotter.NewLine(tr)
			if err != nil {
				return nil, err
			}
			lt.Color, lt.Dashes = truthColor, dashes
			p.Add(lt)
		}
		headroom(p, p.Y.Min, p.Y.Max)
		panels = append(panels, p)
	}
	return panels, nil
}

// plotLoss draws the loss against the epoch for every start, on a log scale.
func plotLoss(path string, res *identify.Result) error {
	p := plot.New()
	p.Title.Text = "training loss"
	p.X.Label.Text, p.Y.Label.Text = "epoch", "loss"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: 0}
	p.Add(plotter.NewGrid())
	for i, s := range res.Starts {
		var pts plotter.XYs
		for _, e := range s.History {
			if !math.IsNaN(e.Loss) && !math.IsInf(e.Loss, 0) {
				pts = append(pts, plotter.XY{X: float64(e.Epoch), Y: e.Loss})
			}
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = plotutil.Color(i)
		p.Add(l)
		if len(res.Starts) > 1 {
			p.Legend.Add(fmt.Sprintf("start %d", i+1), l)
		}
	}
	return savePanels(path, []*plot.Plot{p})
}

// savePanels draws the plots side by side into one PNG, written atomically.
func savePanels(path string, panels []*plot.Plot) error {
	return saveTiles(path, panels, vg.Length(len(panels))*14*vg.Centimeter, 12*vg.Centimeter,
		draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Centimeter, PadTop: vg.Millimeter * 3,
			PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3})
}

// saveTiles draws the plots row by row into the tiles of a w×h PNG, written
// atomically.
func saveTiles(path string, panels []*plot.Plot, w, h vg.Length, tiles draw.Tiles) error {
	if len(panels) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	img := vgimg.New(w, h)
	dc := draw.New(img)
	err := drawSafely(func() error {
		for i, p := range panels {
			safeLogY(p)
			p.Draw(tiles.At(dc, i%tiles.Cols, i/tiles.Cols))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return saveCanvas(path, img)
}
