package latent

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// ErrData means a dataset file is missing, malformed or holds a non-finite value.
var ErrData = errors.New("latent: bad dataset")

// magic opens every dataset file (before gzip).
const magic = "PHYSHOP1"

// HopperFile is the name of the dataset file inside a data directory.
const HopperFile = "hopper.bin.gz"

// maxValues bounds sequences·steps·dim so that a corrupt header cannot ask for
// an absurd allocation (10,000 sequences of 1,000 steps of 100 values).
const maxValues = 1e9

// Dataset is a set of regularly sampled multivariate sequences: Sequences runs
// of Steps states of Dim values, DT apart. Values is sequence-major, then time,
// then component.
type Dataset struct {
	Sequences, Steps, Dim int
	// DT is the time between samples in seconds.
	DT float64
	// Values holds Sequences·Steps·Dim values.
	Values []float64
}

// Sequence returns sequence s as a Steps×Dim row-major view.
func (d *Dataset) Sequence(s int) []float64 {
	n := d.Steps * d.Dim
	return d.Values[s*n : (s+1)*n]
}

// Validate checks the shape and that every value is finite, naming the first
// offending sequence, step and component.
func (d *Dataset) Validate() error {
	if d.Sequences < 1 || d.Steps < 2 || d.Dim < 1 {
		return fmt.Errorf("%w: %d sequences of %d steps of %d values (want ≥ 1, ≥ 2, ≥ 1)", ErrData, d.Sequences, d.Steps, d.Dim)
	}
	if !(d.DT > 0) || math.IsInf(d.DT, 0) {
		return fmt.Errorf("%w: time step %v (want a positive finite number)", ErrData, d.DT)
	}
	if len(d.Values) != d.Sequences*d.Steps*d.Dim {
		return fmt.Errorf("%w: %d values for %d×%d×%d", ErrData, len(d.Values), d.Sequences, d.Steps, d.Dim)
	}
	for i, v := range d.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			s, r := i/(d.Steps*d.Dim), i%(d.Steps*d.Dim)
			return fmt.Errorf("%w: sequence %d, step %d, component %d is %v", ErrData, s, r/d.Dim, r%d.Dim, v)
		}
	}
	return nil
}

// header is the fixed part of the file after the magic.
type header struct {
	Sequences, Steps, Dim uint32
	DT                    float64
}

// Write writes d in the dataset format: gzip of the 8 bytes "PHYSHOP1", the
// little-endian uint32 sequences, steps, dim, the float64 dt, then the values
// as float32, sequence-major. Values are rounded to float32.
func Write(w io.Writer, d *Dataset) error {
	if err := d.Validate(); err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	bw.WriteString(magic)
	h := header{uint32(d.Sequences), uint32(d.Steps), uint32(d.Dim), d.DT}
	if err := binary.Write(bw, binary.LittleEndian, h); err != nil {
		return err
	}
	var buf [4]byte
	for _, v := range d.Values {
		binary.LittleEndian.PutUint32(buf[:], math.Float32bits(float32(v)))
		bw.Write(buf[:])
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// Read reads a dataset written by Write (or by testdata/hopper/generate.mjs)
// and validates it.
func Read(r io.Reader) (*Dataset, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: not gzip: %v", ErrData, err)
	}
	br := bufio.NewReader(zr)
	var m [len(magic)]byte
	if _, err := io.ReadFull(br, m[:]); err != nil || string(m[:]) != magic {
		return nil, fmt.Errorf("%w: missing the %q header", ErrData, magic)
	}
	var h header
	if err := binary.Read(br, binary.LittleEndian, &h); err != nil {
		return nil, fmt.Errorf("%w: short header: %v", ErrData, err)
	}
	n := float64(h.Sequences) * float64(h.Steps) * float64(h.Dim)
	if n > maxValues {
		return nil, fmt.Errorf("%w: header claims %d×%d×%d values", ErrData, h.Sequences, h.Steps, h.Dim)
	}
	d := &Dataset{Sequences: int(h.Sequences), Steps: int(h.Steps), Dim: int(h.Dim), DT: h.DT}
	raw := make([]byte, 4*int(n))
	if _, err := io.ReadFull(br, raw); err != nil {
		return nil, fmt.Errorf("%w: %d×%d×%d values announced, data ends early: %v", ErrData, h.Sequences, h.Steps, h.Dim, err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after %d×%d×%d values", ErrData, h.Sequences, h.Steps, h.Dim)
	}
	d.Values = make([]float64, int(n))
	for i := range d.Values {
		d.Values[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// Load reads a dataset from a file, or from HopperFile inside a directory.
func Load(path string) (*Dataset, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, HopperFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	defer f.Close()
	d, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// Normalized returns a copy of d with each component scaled to [0, 1] by its
// minimum and maximum over the whole set, the normalisation of Rubanova et al.;
// a constant component maps to 0. The test MSE is measured in these units.
func (d *Dataset) Normalized() *Dataset {
	lo, hi := make([]float64, d.Dim), make([]float64, d.Dim)
	for c := range lo {
		lo[c], hi[c] = math.Inf(1), math.Inf(-1)
	}
	for i, v := range d.Values {
		c := i % d.Dim
		lo[c], hi[c] = math.Min(lo[c], v), math.Max(hi[c], v)
	}
	out := *d
	out.Values = make([]float64, len(d.Values))
	for i, v := range d.Values {
		c := i % d.Dim
		if hi[c] > lo[c] {
			out.Values[i] = (v - lo[c]) / (hi[c] - lo[c])
		}
	}
	return &out
}
