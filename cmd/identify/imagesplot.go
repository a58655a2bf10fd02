package main

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// plotImagesCompare draws test accuracy against training time, one line per
// model and gradient method (paper Fig. 7b).
func plotImagesCompare(path string, c compareImagesJSON) error {
	if len(c.Curves) == 0 {
		return fmt.Errorf("no curves to plot")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: test accuracy against training time (paper Fig. 7b)", c.Data)
	p.X.Label.Text = "training time (s)"
	p.Y.Label.Text = "test accuracy"
	p.Add(plotter.NewGrid())
	tmax := 0.0
	for j, cv := range c.Curves {
		pts := make(plotter.XYs, len(cv.Seconds))
		for i := range cv.Seconds {
			pts[i].X, pts[i].Y = cv.Seconds[i], cv.Accuracy[i]
			tmax = max(tmax, cv.Seconds[i])
		}
		if err := addSeries(p, j, cv.Label, pts); err != nil {
			return err
		}
	}
	// The legend goes top right, in a margin to the right of the last epoch.
	p.X.Min, p.X.Max = 0, 1.4*tmax
	p.Legend.Top = true
	return savePlot(path, p)
}
