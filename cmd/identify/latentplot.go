package main

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	explatent "github.com/physid/physid/internal/experiments/latent"
	"github.com/physid/physid/learned/latent"
)

// hopperNames are the hopper's state components (qpos, then qvel).
var hopperNames = []string{"root x", "root z", "root pitch", "waist", "hip", "knee", "ankle"}

func hopperComponent(c int) string {
	if c < len(hopperNames) {
		return hopperNames[c]
	}
	if c < 2*len(hopperNames) {
		return hopperNames[c-len(hopperNames)] + " velocity"
	}
	return fmt.Sprintf("component %d", c)
}

// plotLatent draws a few held-out trajectories (one component each) with their
// observed points and the reconstructions of the example models of cmp.
func plotLatent(path string, cmp *explatent.Comparison) error {
	names := []string{"latent-ode/aca", "gru", "rnn"}
	var fits []*latent.Fitted
	var labels []string
	for _, n := range names {
		if f := cmp.Examples[n]; f != nil {
			fits = append(fits, f)
			labels = append(labels, n)
		}
	}
	if len(fits) == 0 {
		return fmt.Errorf("no trained models to plot")
	}
	test := fits[0].Test
	seqs := test[:min(3, len(test))]
	comps := []int{1, 4, 11} // root z, hip, hip velocity
	var panels []*plot.Plot
	for k, s := range seqs {
		c := comps[k%len(comps)] % fits[0].Data.Dim
		p := plot.New()
		p.Title.Text = fmt.Sprintf("test sequence %d: %s, %.0f%% observed", s, hopperComponent(c), 100*cmp.Observed[0])
		p.X.Label.Text = "t (rescaled)"
		p.Y.Label.Text = "normalised value"
		p.Add(plotter.NewGrid())
		for j, f := range fits {
			b, pred, err := f.Reconstruct([]int{s})
			if err != nil {
				return err
			}
			if j == 0 {
				truth, obs := make(plotter.XYs, len(b.Grid)), plotter.XYs{}
				for i, t := range b.Grid {
					truth[i].X, truth[i].Y = t, b.Values[i*b.Dim+c]
					if b.Mask[i*b.Dim+c] != 0 {
						obs = append(obs, plotter.XY{X: t, Y: b.Values[i*b.Dim+c]})
					}
				}
				l, err := plotter.NewLine(truth)
				if err != nil {
					return err
				}
				l.Width = vg.Points(1.5)
				sc, err := plotter.NewScatter(obs)
				if err != nil {
					return err
				}
				p.Add(l, sc)
				p.Legend.Add("truth", l)
				p.Legend.Add("observed", sc)
			}
			xy := make(plotter.XYs, len(b.Grid))
			for i, t := range b.Grid {
				xy[i].X, xy[i].Y = t, pred[i*b.Dim+c]
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.Color = plotutil.Color(j + 1)
			l.Dashes = plotutil.Dashes(j + 1)
			p.Add(l)
			p.Legend.Add(labels[j], l)
		}
		panels = append(panels, p)
	}
	return savePanels(path, panels)
}
