package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/physid/physid/internal/experiments/threebody"
)

// plotCompare draws compare.png in the manner of the paper's Fig. 8: one
// panel per model and gradient method with the first run's prediction of the
// first two plotted components (body 1's x and y for an N-body system) over
// the test window, the truth dashed, and a dot where the observed window ends.
// The axes are fixed to the truth's range with a margin, so a prediction that
// flies off is cut at the frame rather than shrinking the truth to a point.
func plotCompare(path, title string, cmp *threebody.Comparison) error {
	if len(cmp.PlotComponents) == 0 || len(cmp.Rows) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	cp := newComparePanels(cmp)
	cols := min(4, len(cmp.Rows))
	rows := (len(cmp.Rows) + cols - 1) / cols
	w, h := vg.Length(cols)*9*vg.Centimeter, vg.Length(rows)*8.5*vg.Centimeter+vg.Centimeter
	img := vgimg.New(w, h)
	dc := draw.New(img)
	head := draw.Crop(dc, 0, 0, h-vg.Centimeter, 0)
	head.FillText(draw.TextStyle{Color: color.Black, Font: font.From(plot.DefaultFont, 12), Handler: plot.DefaultTextHandler,
		XAlign: draw.XCenter, YAlign: draw.YCenter},
		vg.Point{X: w / 2, Y: h - vg.Centimeter/2},
		fmt.Sprintf("%s: first run of each model (solid) and the truth (dashed); the dot ends the observed window", title))
	body := draw.Crop(dc, 0, 0, 0, -vg.Centimeter)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Centimeter / 2, PadY: vg.Centimeter / 2,
		PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3}
	for i, r := range cmp.Rows {
		p, err := cp.panel(r)
		if err != nil {
			return err
		}
		p.Draw(tiles.At(body, i%cols, i/cols))
	}
	return saveCanvas(path, img)
}

// comparePanels holds what every panel of plotCompare shares: the truth in
// the plotted plane, its range with a margin, the index of the end of the
// observed window and the axis names.
type comparePanels struct {
	cmp                    *threebody.Comparison
	nc, ix, iy             int
	truth                  plotter.XYs
	xmin, xmax, ymin, ymax float64
	padX, padY             float64
	split                  int
	xName, yName           string
}

func newComparePanels(cmp *threebody.Comparison) *comparePanels {
	nc := len(cmp.PlotComponents)
	cp := &comparePanels{cmp: cmp, nc: nc, ix: 0, iy: min(1, nc-1)} // a one-component system is drawn against time
	cp.truth = make(plotter.XYs, len(cmp.Times))
	cp.xmin, cp.xmax, cp.ymin, cp.ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for k := range cmp.Times {
		cp.truth[k].X, cp.truth[k].Y = cp.xy(cmp.Truth, k)
		cp.xmin, cp.xmax = min(cp.xmin, cp.truth[k].X), max(cp.xmax, cp.truth[k].X)
		cp.ymin, cp.ymax = min(cp.ymin, cp.truth[k].Y), max(cp.ymax, cp.truth[k].Y)
	}
	cp.padX, cp.padY = 0.25*(cp.xmax-cp.xmin)+1e-9, 0.25*(cp.ymax-cp.ymin)+1e-9
	for cp.split < len(cmp.Times)-1 && cmp.Times[cp.split] < cmp.TrainEnd {
		cp.split++
	}
	cp.xName, cp.yName = "t", cmp.PlotNames[0]
	if nc > 1 {
		cp.xName, cp.yName = cmp.PlotNames[cp.ix], cmp.PlotNames[cp.iy]
	}
	return cp
}

// xy is the plotted point of a trajectory (row-major at the test times) at
// time index k.
func (cp *comparePanels) xy(traj []float64, k int) (float64, float64) {
	if cp.nc == 1 {
		return cp.cmp.Times[k], traj[k]
	}
	return traj[k*cp.nc+cp.ix], traj[k*cp.nc+cp.iy]
}

// panel draws one row: the truth dashed, the first run's prediction up to
// its first non-finite point, and the dot that ends the observed window.
func (cp *comparePanels) panel(r threebody.ModelResult) (*plot.Plot, error) {
	cmp := cp.cmp
	p := plot.New()
	p.Title.Text = r.Model
	if r.Method != "" {
		p.Title.Text += " (" + r.Method + ")"
	}
	if r.TestMSEMean == r.TestMSEMean { // not NaN
		p.Title.Text += fmt.Sprintf(", MSE %.2g", r.TestMSEMean)
	}
	p.X.Label.Text, p.Y.Label.Text = cp.xName, cp.yName
	p.Add(plotter.NewGrid())
	lt, err := plotter.NewLine(cp.truth)
	if err != nil {
		return nil, err
	}
	lt.Color = color.RGBA{B: 200, A: 255}
	lt.Width = vg.Points(1.2)
	lt.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(lt)
	if len(r.Trajectory) == len(cmp.Times)*cp.nc {
		pred := make(plotter.XYs, 0, len(cmp.Times))
		for k := range cmp.Times {
			x, y := cp.xy(r.Trajectory, k)
			if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
				break
			}
			pred = append(pred, plotter.XY{X: x, Y: y})
		}
		if len(pred) > 1 {
			lp, err := plotter.NewLine(pred)
			if err != nil {
				return nil, err
			}
			lp.Color = color.RGBA{R: 230, G: 120, A: 255}
			lp.Width = vg.Points(1.2)
			p.Add(lp)
		}
	} else {
		p.Title.Text += " — no prediction"
	}
	x, y := cp.truth[cp.split].X, cp.truth[cp.split].Y
	dot, err := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	if err != nil {
		return nil, err
	}
	dot.Shape = draw.CircleGlyph{}
	dot.Color = color.Black
	p.Add(dot)
	// After the Adds, which widen the axes to the data.
	p.X.Min, p.X.Max = cp.xmin-cp.padX, cp.xmax+cp.padX
	p.Y.Min, p.Y.Max = cp.ymin-cp.padY, cp.ymax+cp.padY
	return p, nil
}
