package images

import (
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/learned/vision"
)

// Builder returns a new classifier of a model ("resnet" or "node") whose ODE
// blocks train with the gradient method named, solvers set and ready to
// train. The experiments return its errors unchanged.
type Builder func(model, method string) (*vision.Classifier, error)

// Settings returns the ODE-block solver settings (vision.DefaultSettings)
// with the tableau name.
func Settings(name string) (*integrate.Settings, error) {
	tb, err := integrate.ByName(name)
	if err != nil {
		return nil, err
	}
	s := vision.DefaultSettings()
	s.Method = tb
	return s, nil
}

// TestSettings is Settings for inference: a fixed-step tableau takes steps
// of h.
func TestSettings(name string, h float64) (*integrate.Settings, error) {
	s, err := Settings(name)
	if err == nil && !s.Method.Adaptive() {
		s.Step = h
	}
	return s, err
}
