package learned

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Format and Version identify model files written by Save. Load accepts
// versions up to Version and rejects anything else with ErrFormat.
const (
	Format  = "physid-learned"
	Version = 1
)

// ErrFormat reports a model file that is not one Load can read.
var ErrFormat = errors.New("learned: not a model file")

// Model is a network that can be saved: an MLP, a Sequence or a NeuralField,
// built on a fresh Layout so that its parameters are all of θ.
type Model interface {
	Initializer
	// Spec describes the architecture; Build(Spec) rebuilds the same layout.
	Spec() (Spec, error)
}

// File is the JSON document Save writes:
//
//	{
//	  "format": "physid-learned",
//	  "version": 1,
//	  "model": {"kind": "mlp", "mlp": {"sizes": [2, 16, 1], "hidden": "tanh", "output": "identity"}},
//	  "num_params": 65,
//	  "theta": [0.12, -0.4, ...]
//	}
//
// theta is the flat parameter vector in the layout of the package doc, written
// with the shortest decimal that reads back to the same float64, so a
// round trip is exact.
type File struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	Model     Spec      `json:"model"`
	NumParams int       `json:"num_params"`
	Theta     []float64 `json:"theta"`
}

// Spec is an architecture: Kind selects which one of the other fields is set.
type Spec struct {
	Kind     string        `json:"kind"` // "mlp", "sequence" or "field"
	MLP      *MLPSpec      `json:"mlp,omitempty"`
	Sequence *SequenceSpec `json:"sequence,omitempty"`
	Field    *FieldSpec    `json:"field,omitempty"`
}

// MLPSpec describes an MLP.
type MLPSpec struct {
	Sizes  []int      `json:"sizes"`  // input, hidden…, output
	Hidden Activation `json:"hidden"` // activation after hidden layers
	Output Activation `json:"output"` // activation after the last layer
}

// SequenceSpec describes a Sequence.
type SequenceSpec struct {
	Cell   Cell `json:"cell"`   // "lstm" or "gru"
	Input  int  `json:"input"`  // size of x_t
	Hidden int  `json:"hidden"` // size of h_t
	Output int  `json:"output"` // size of the read-out y_t
}

// FieldSpec describes a NeuralField.
// Its fields mean what the FieldConfig fields of the same names mean.
type FieldSpec struct {
	StateDim      int         `json:"state_dim"`
	Order         int         `json:"order"`
	Hidden        []int       `json:"hidden"`
	Activation    Activation  `json:"activation"`
	VelocityScale float64     `json:"velocity_scale"`
	Features      FeatureSpec `json:"features"`
}

// FeatureSpec records a SavableFeatures: its Kind, its Dim (checked on load)
// and its JSON encoding.
type FeatureSpec struct {
	Kind   string          `json:"kind"`
	Dim    int             `json:"dim"`
	Config json.RawMessage `json:"config,omitempty"`
}

// FeatureDecoder rebuilds a feature map from its kind and configuration. Load
// calls it for kinds other than "identity", which it decodes itself.
type FeatureDecoder func(kind string, config json.RawMessage) (Features, error)

// Spec describes the MLP. It fails for an MLP built inside a larger Layout.
func (m *MLP) Spec() (Spec, error) {
	if m.off != 0 {
		return Spec{}, fmt.Errorf("learned: an MLP at parameter offset %d cannot be saved alone", m.off)
	}
	return Spec{Kind: "mlp", MLP: &MLPSpec{Sizes: m.Sizes(), Hidden: m.hidden, Output: m.output}}, nil
}

// Spec describes the Sequence. It fails for one built inside a larger Layout.
func (s *Sequence) Spec() (Spec, error) {
	if s.off != 0 {
		return Spec{}, fmt.Errorf("learned: a Sequence at parameter offset %d cannot be saved alone", s.off)
	}
	return Spec{Kind: "sequence", Sequence: &SequenceSpec{Cell: s.cell, Input: s.in, Hidden: s.hid, Output: s.out}}, nil
}

// Spec describes the field. It fails when the feature map is not a SavableFeatures.
func (f *NeuralField) Spec() (Spec, error) {
	sf, ok := f.feat.(SavableFeatures)
	if !ok {
		return Spec{}, fmt.Errorf("learned: features %T cannot be saved: give them a Kind() string method", f.feat)
	}
	cfg, err := json.Marshal(sf)
	if err != nil {
		return Spec{}, fmt.Errorf("learned: encoding features %q: %w", sf.Kind(), err)
	}
	c := f.Config()
	return Spec{Kind: "field", Field: &FieldSpec{
		StateDim: c.StateDim, Order: c.Order, Hidden: c.Hidden, Activation: c.Activation,
		VelocityScale: c.VelocityScale,
		Features:      FeatureSpec{Kind: sf.Kind(), Dim: sf.Dim(), Config: cfg},
	}}, nil
}

// Save writes m's architecture and theta to w as an indented File.
func Save(w io.Writer, m Model, theta []float64) error {
	if len(theta) != m.NumParams() {
		return fmt.Errorf("learned: Save: len(theta) = %d, the model has %d parameters", len(theta), m.NumParams())
	}
	spec, err := m.Spec()
	if err != nil {
		return err
	}
	for i, v := range theta {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("learned: Save: theta[%d] = %v", i, v)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(File{Format: Format, Version: Version, Model: spec, NumParams: len(theta), Theta: theta})
}

// Load reads a File, rebuilds the model and returns it with its θ. decode
// rebuilds feature maps other than "identity"; it may be nil when there are none.
func Load(r io.Reader, decode FeatureDecoder) (Model, []float64, error) {
	var f File
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if f.Format != Format {
		return nil, nil, fmt.Errorf("%w: format %q, want %q", ErrFormat, f.Format, Format)
	}
	if f.Version < 1 || f.Version > Version {
		return nil, nil, fmt.Errorf("%w: version %d (this build reads 1 to %d)", ErrFormat, f.Version, Version)
	}
	m, err := Build(f.Model, decode)
	if err != nil {
		return nil, nil, err
	}
	if n := m.NumParams(); n != len(f.Theta) || n != f.NumParams {
		return nil, nil, fmt.Errorf("%w: the architecture has %d parameters, the file %d (num_params %d)",
			ErrFormat, n, len(f.Theta), f.NumParams)
	}
	return m, f.Theta, nil
}

// Build constructs the model a Spec describes, validating it first.
func Build(s Spec, decode FeatureDecoder) (Model, error) {
	switch s.Kind {
	case "mlp":
		p := s.MLP
		if p == nil {
			return nil, fmt.Errorf("%w: kind mlp without an mlp section", ErrConfig)
		}
		if len(p.Sizes) < 2 || slices.Min(p.Sizes) < 1 {
			return nil, fmt.Errorf("%w: mlp sizes %v: want at least two, all positive", ErrConfig, p.Sizes)
		}
		if err := errors.Join(p.Hidden.Validate(), p.Output.Validate()); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		return NewMLP(nil, p.Sizes, p.Hidden, p.Output), nil
	case "sequence":
		p := s.Sequence
		if p == nil {
			return nil, fmt.Errorf("%w: kind sequence without a sequence section", ErrConfig)
		}
		if p.Cell != CellLSTM && p.Cell != CellGRU {
			return nil, fmt.Errorf("%w: cell %q (allowed: lstm, gru)", ErrConfig, string(p.Cell))
		}
		if p.Input < 1 || p.Hidden < 1 || p.Output < 1 {
			return nil, fmt.Errorf("%w: sequence sizes must be positive", ErrConfig)
		}
		return NewSequence(nil, p.Cell, p.Input, p.Hidden, p.Output), nil
	case "field":
		p := s.Field
		if p == nil {
			return nil, fmt.Errorf("%w: kind field without a field section", ErrConfig)
		}
		feat, err := decodeFeatures(p.Features, decode)
		if err != nil {
			return nil, err
		}
		return NewNeuralField(FieldConfig{StateDim: p.StateDim, Order: p.Order, Features: feat,
			Hidden: p.Hidden, Activation: p.Activation, VelocityScale: p.VelocityScale})
	}
	return nil, fmt.Errorf("%w: model kind %q (allowed: mlp, sequence, field)", ErrConfig, s.Kind)
}

func decodeFeatures(s FeatureSpec, decode FeatureDecoder) (Features, error) {
	var (
		f   Features
		err error
	)
	switch {
	case s.Kind == "identity":
		var id IdentityMap
		err = json.Unmarshal(s.Config, &id)
		f = id
	case decode != nil:
		f, err = decode(s.Kind, s.Config)
	default:
		return nil, fmt.Errorf("%w: features of kind %q need a FeatureDecoder", ErrConfig, s.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: features %q: %v", ErrConfig, s.Kind, err)
	}
	if f.Dim() != s.Dim {
		return nil, fmt.Errorf("%w: features %q have dimension %d, the file says %d", ErrConfig, s.Kind, f.Dim(), s.Dim)
	}
	return f, nil
}
