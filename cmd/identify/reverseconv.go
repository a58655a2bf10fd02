package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/internal/experiments/reverse"
)

type reverseConvJSON struct {
	Experiment string            `json:"experiment"`
	System     string            `json:"system"`
	Kernel     []float64         `json:"kernel"`
	Seed       uint64            `json:"seed"`
	Image      string            `json:"image"`
	T          float64           `json:"T"`
	Solver     string            `json:"solver"`
	Sweep      []reverse.ConvRow `json:"tolerance_sweep"`
}

// reproduceReverseConv is `identify reproduce reverse --conv` (paper Fig. 5):
// it writes DIR/reverse_conv.png (input, forward end state, reconstruction and
// error at MATLAB's default tolerances) and DIR/reverse_conv.json.
func reproduceReverseConv(dir string, stdout io.Writer) error {
	res, err := reverse.Conv()
	if err != nil {
		return runtimeError{err}
	}
	m := res.Model
	out := reverseConvJSON{
		Experiment: "reverse --conv (paper Fig. 5)", System: "dz/dt = K * z (3x3 cross-correlation, zero padding)",
		Kernel: res.Kernel, Seed: reverse.ConvSeed, T: reverse.ConvT, Solver: "dopri5",
		Image: fmt.Sprintf("Fashion-MNIST test image %d (class %d) of the shipped subset, pixels in [0, 1]", reverse.ConvImage, res.Label),
		Sweep: res.Sweep,
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return runtimeError{err}
	}
	if err := writeJSON(filepath.Join(dir, "reverse_conv.json"), out); err != nil {
		return err
	}
	png := filepath.Join(dir, "reverse_conv.png")
	if err := plotReverseConv(png, m, res.Z0, res.Main); err != nil {
		return runtimeError{fmt.Errorf("%s: %w", png, err)}
	}
	fmt.Fprintf(stdout, "Paper Fig. 5: dz/dt = K * z on a %d×%d image, K a random 3×3 kernel (seed %d),\n", m.H, m.W, reverse.ConvSeed)
	fmt.Fprintf(stdout, "solved forward to T = %g with dopri5, then backward from z(T) as the adjoint method does.\n\n", reverse.ConvT)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rtol\tatol\tmax |z_back(0) − z(0)|\t‖z_back(0) − z(0)‖/‖z(0)‖\tNFE forward\tNFE backward\t")
	for _, r := range out.Sweep {
		if r.Failure != "" {
			fmt.Fprintf(tw, "%g\t%g\tfailed: %s\t\t\t\t\n", r.RTol, r.ATol, r.Failure)
			continue
		}
		fmt.Fprintf(tw, "%g\t%g\t%.3g\t%.3g\t%d\t%d\t\n", r.RTol, r.ATol, r.MaxError, r.RelError, r.NFEForward, r.NFEBackward)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nThe frequencies the kernel damps forward in time grow backward, so local errors of the\n")
	fmt.Fprintf(stdout, "backward solve are amplified; ACA keeps the forward states and never solves backward.\n")
	fmt.Fprintf(stdout, "wrote %s and %s\n", png, filepath.Join(dir, "reverse_conv.json"))
	return nil
}

// imageGrid is an H×W image as a plotter.GridXYZ, row 0 at the top.
type imageGrid struct {
	h, w int
	v    []float64
}

func (g imageGrid) Dims() (c, r int)   { return g.w, g.h }
func (g imageGrid) Z(c, r int) float64 { return g.v[(g.h-1-r)*g.w+c] }
func (g imageGrid) X(c int) float64    { return float64(c) }
func (g imageGrid) Y(r int) float64    { return float64(r) }

// plotReverseConv draws four panels: the input z(0), the forward end state
// z(T), the reconstruction z_back(0) and |z_back(0) − z(0)|, each with its own
// grey scale (min black, max white) and the range in the title.
func plotReverseConv(path string, m dynamics.Conv2D, z0 []float64, r *reverse.Reconstruction) error {
	last := len(r.Times) - 1
	diff := make([]float64, len(z0))
	for i := range diff {
		diff[i] = math.Abs(r.Backward[0][i] - z0[i])
	}
	panels := []struct {
		title string
		v     []float64
	}{
		{"input z(0)", z0},
		{fmt.Sprintf("forward z(T), T = %g", r.Times[last]), r.Forward[last]},
		{"reverse-time reconstruction of z(0)", r.Backward[0]},
		{"|reconstruction − input|", diff},
	}
	const side = 8 * vg.Centimeter
	img := vgimg.New(vg.Length(len(panels))*side, side+vg.Centimeter)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	for i, p := range panels {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range p.v {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if !(hi > lo) {
			lo, hi = lo-0.5, lo+0.5
		}
		pl := plot.New()
		pl.Title.Text = fmt.Sprintf("%s\n[%.3g, %.3g]", p.title, lo, hi)
		pl.HideAxes()
		hm := plotter.NewHeatMap(imageGrid{m.H, m.W, p.v}, greys{})
		hm.Min, hm.Max = lo, hi
		hm.Rasterized = true
		pl.Add(hm)
		pl.Draw(tiles.At(dc, i, 0))
	}
	return saveCanvas(path, img)
}

// greys is a 256-level black-to-white palette.
type greys struct{}

// Colors returns the 256 grey levels, black first.
func (greys) Colors() []color.Color {
	c := make([]color.Color, 256)
	for i := range c {
		c[i] = color.Gray{Y: uint8(i)}
	}
	return c
}
