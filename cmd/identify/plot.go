package main

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/physid/physid/internal/atomicfile"
	"github.com/physid/physid/internal/experiments/reverse"
	"github.com/physid/physid/internal/experiments/toy"
)

// logFloor is the smallest value drawn on a logarithmic axis: exact zeros
// (an error that happens to vanish) are drawn there instead.
const logFloor = 1e-17

// safeLogY makes a plot with a logarithmic y axis drawable: gonum/plot
// panics on a log axis whose range reaches 0 or below, or is not finite, and
// draws no ticks on one whose range is a single value. A range that cannot be
// drawn on a log axis (a loss that is exactly 0, a weight that underflowed)
// falls back to a linear axis; a single value is widened by a decade each way.
func safeLogY(p *plot.Plot) {
	if _, ok := p.Y.Scale.(plot.LogScale); !ok {
		return
	}
	lo, hi := p.Y.Min, p.Y.Max
	switch {
	case !(lo > 0) || math.IsInf(hi, 0) || math.IsNaN(hi) || lo > hi:
		p.Y.Scale = plot.LinearScale{}
		p.Y.Tick.Marker = plot.DefaultTicks{}
		if p.Y.Label.Text != "" {
			p.Y.Label.Text += " (linear: values ≤ 0)"
		}
		if math.IsInf(lo, 0) || math.IsNaN(lo) || math.IsInf(hi, 0) || math.IsNaN(hi) || lo > hi {
			p.Y.Min, p.Y.Max = 0, 1
		}
	case lo == hi:
		p.Y.Min, p.Y.Max = lo/10, hi*10
	}
}

// drawSafely runs draw and turns a panic inside gonum/plot into an error, so
// that a plot never takes a finished computation down with it.
func drawSafely(draw func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing the plot failed: %v", r)
		}
	}()
	return draw()
}

// savePlot writes p as a 16 × 11 cm PNG to path, atomically.
func savePlot(path string, p *plot.Plot) error {
	safeLogY(p)
	var wt io.WriterTo
	err := drawSafely(func() (err error) {
		wt, err = p.WriterTo(16*vg.Centimeter, 11*vg.Centimeter, "png")
		return err
	})
	if err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// saveCanvas writes a drawn canvas (several panels) as a PNG to path, atomically.
func saveCanvas(path string, img *vgimg.Canvas) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// plotToy draws the relative error of dL/dz0 against T, one line per method.
func plotToy(path string, rows []toy.Row) error {
	p := plot.New()
	p.Title.Text = "Toy problem dz/dt = kz (paper Fig. 6), dopri5 rtol = atol = 1e-5"
	p.X.Label.Text = "T"
	p.Y.Label.Text = "relative error of dL/dz0"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: 0}
	p.Add(plotter.NewGrid())
	if len(rows) == 0 {
		return fmt.Errorf("no rows to plot")
	}
	for j, m := range rows[0].Methods {
		pts := make(plotter.XYs, len(rows))
		for i, r := range rows {
			pts[i].X, pts[i].Y = r.T, finiteOr(r.Methods[j].RelErr, logFloor)
		}
		if err := addSeries(p, j, m.Method, pts); err != nil {
			return err
		}
	}
	return savePlot(path, p)
}

// plotReverse draws two panels: the x–v phase plot (forward solid, backward
// dashed) and the reconstruction error against t on a log scale.
func plotReverse(path string, r *reverse.Reconstruction) error {
	fwd, bwd := make(plotter.XYs, len(r.Times)), make(plotter.XYs, len(r.Times))
	var errs plotter.XYs
	vmin, vmax := 0.0, 0.0
	for i := range r.Times {
		fwd[i].X, fwd[i].Y = r.Forward[i][0], r.Forward[i][1]
		bwd[i].X, bwd[i].Y = r.Backward[i][0], r.Backward[i][1]
		vmin, vmax = min(vmin, fwd[i].Y, bwd[i].Y), max(vmax, fwd[i].Y, bwd[i].Y)
		// The error is 0 at T, where the backward solve starts: not drawn on the log axis.
		if r.Error[i] > 0 {
			errs = append(errs, plotter.XY{X: r.Times[i], Y: finiteOr(r.Error[i], logFloor)})
		}
	}
	if len(errs) == 0 {
		errs = plotter.XYs{{X: r.Times[0], Y: logFloor}}
	}
	phase := plot.New()
	phase.Title.Text = "van der Pol (mu = 1): forward and reverse-time solution"
	phase.X.Label.Text = "x"
	phase.Y.Label.Text = "v"
	lf, err := plotter.NewLine(fwd)
	if err != nil {
		return err
	}
	lf.Color = color.RGBA{B: 200, A: 255}
	lf.Width = vg.Points(1.5)
	lb, err := plotter.NewLine(bwd)
	if err != nil {
		return err
	}
	lb.Color = color.RGBA{R: 220, A: 255}
	lb.Width = vg.Points(1.5)
	lb.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	start, err := plotter.NewScatter(plotter.XYs{{X: r.Forward[0][0], Y: r.Forward[0][1]}})
	if err != nil {
		return err
	}
	start.Shape = draw.CircleGlyph{}
	start.Color = color.Black
	phase.Add(plotter.NewGrid(), lf, lb, start)
	phase.Legend.Add("forward from t = 0", lf)
	phase.Legend.Add("backward from t = T", lb)
	phase.Legend.Add("z0", start)
	phase.Legend.Top = true
	phase.Legend.Left = true
	phase.Y.Max = vmax + 0.5*(vmax-vmin) // room for the legend above the orbit

	ep := plot.New()
	ep.Title.Text = "reconstruction error of the reverse-time solution"
	ep.X.Label.Text = "t"
	ep.Y.Label.Text = "max |z_back(t) - z_fwd(t)|"
	ep.Y.Scale = plot.LogScale{}
	ep.Y.Tick.Marker = plot.LogTicks{Prec: 0}
	le, err := plotter.NewLine(errs)
	if err != nil {
		return err
	}
	le.Color = color.RGBA{R: 220, A: 255}
	le.Width = vg.Points(1.5)
	ep.Add(plotter.NewGrid(), le)

	const w, h = 26 * vg.Centimeter, 11 * vg.Centimeter
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Centimeter, PadTop: vg.Millimeter * 3,
		PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3}
	phase.Draw(tiles.At(dc, 0, 0))
	ep.Draw(tiles.At(dc, 1, 0))
	return saveCanvas(path, img)
}

// addSeries adds pts to p as the j-th series of a plot, a line with point
// markers in plotutil's j-th color, dashes and shape, named label in the
// legend.
func addSeries(p *plot.Plot, j int, label string, pts plotter.XYs) error {
	line, points, err := plotter.NewLinePoints(pts)
	if err != nil {
		return err
	}
	line.Color = plotutil.Color(j)
	line.Dashes = plotutil.Dashes(j)
	points.Color = plotutil.Color(j)
	points.Shape = plotutil.Shape(j)
	p.Add(line, points)
	p.Legend.Add(label, line, points)
	return nil
}
