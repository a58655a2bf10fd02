package vision

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrData reports a malformed or inconsistent data file.
var ErrData = errors.New("vision: bad data")

// Dataset is a set of labelled images with pixels in [0, 1], row-major NCHW.
type Dataset struct {
	Shape   Shape
	Classes int
	Pixels  []float64 // len(Labels)·Shape.Size()
	Labels  []uint8
}

// Len is the number of images.
func (d *Dataset) Len() int { return len(d.Labels) }

// Image returns image i as a view.
func (d *Dataset) Image(i int) []float64 {
	s := d.Shape.Size()
	return d.Pixels[i*s : (i+1)*s]
}

// open opens a file, transparently decompressing a .gz name.
func open(path string) (io.ReadCloser, error) {
	return openFS(nil, path)
}

// openFS opens a file of fsys (the OS when nil), decompressing a .gz name.
func openFS(fsys fs.FS, path string) (io.ReadCloser, error) {
	var f io.ReadCloser
	var err error
	if fsys == nil {
		f, err = os.Open(path)
	} else {
		f, err = fsys.Open(path)
	}
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		return f, nil
	}
	z, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrData, path, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{z, f}, nil
}

// readIDX reads an IDX file of unsigned bytes (type 0x08): its dimensions and data.
func readIDX(fsys fs.FS, path string) ([]int, []byte, error) {
	r, err := openFS(fsys, path)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: short header: %v", ErrData, path, err)
	}
	if magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] < 1 || magic[3] > 4 {
		return nil, nil, fmt.Errorf("%w: %s: magic % x is not an unsigned-byte IDX file of 1 to 4 dimensions", ErrData, path, magic)
	}
	dims := make([]int, magic[3])
	total := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("%w: %s: short header: %v", ErrData, path, err)
		}
		if d == 0 || d > 1<<24 {
			return nil, nil, fmt.Errorf("%w: %s: dimension %d is %d", ErrData, path, i, d)
		}
		dims[i] = int(d)
		total *= int(d)
		if total > 1<<31 {
			return nil, nil, fmt.Errorf("%w: %s: %v too large", ErrData, path, dims)
		}
	}
	data := make([]byte, total)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v needs %d bytes of data: %v", ErrData, path, dims, total, err)
	}
	if n, _ := r.Read(make([]byte, 1)); n > 0 {
		return nil, nil, fmt.Errorf("%w: %s: trailing data after %d bytes", ErrData, path, total)
	}
	return dims, data, nil
}

// ReadIDX reads an image file (N×H×W) and a label file (N) in the IDX format
// of MNIST and Fashion-MNIST, plain or gzip'd, with labels below classes.
func ReadIDX(images, labels string, classes int) (*Dataset, error) {
	return ReadIDXFS(nil, images, labels, classes)
}

// ReadIDXFS is ReadIDX on the files of fsys (the OS when nil).
func ReadIDXFS(fsys fs.FS, images, labels string, classes int) (*Dataset, error) {
	dims, px, err := readIDX(fsys, images)
	if err != nil {
		return nil, err
	}
	if len(dims) != 3 {
		return nil, fmt.Errorf("%w: %s: %d dimensions, want 3 (images × rows × columns)", ErrData, images, len(dims))
	}
	ldims, lab, err := readIDX(fsys, labels)
	if err != nil {
		return nil, err
	}
	if len(ldims) != 1 || ldims[0] != dims[0] {
		return nil, fmt.Errorf("%w: %s: label shape %v does not match %d images in %s", ErrData, labels, ldims, dims[0], images)
	}
	if err := checkLabels(labels, lab, classes); err != nil {
		return nil, err
	}
	d := &Dataset{Shape: Shape{1, dims[1], dims[2]}, Classes: classes, Labels: lab, Pixels: make([]float64, len(px))}
	for i, v := range px {
		d.Pixels[i] = float64(v) / 255
	}
	return d, nil
}

func checkLabels(file string, lab []byte, classes int) error {
	for i, l := range lab {
		if int(l) >= classes {
			return fmt.Errorf("%w: %s: label %d of record %d outside 0..%d", ErrData, file, l, i, classes-1)
		}
	}
	return nil
}

// WriteIDX writes images (N×H×W bytes) or labels (N bytes, dims {N}) as IDX,
// gzip'd when the name ends in .gz.
func WriteIDX(path string, dims []int, data []byte) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	var w io.Writer = f
	var z *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		z, _ = gzip.NewWriterLevel(f, gzip.BestCompression)
		w = z
	}
	hdr := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(d))
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if z != nil {
		return z.Close()
	}
	return nil
}

// ReadCIFAR reads files in the CIFAR binary format of A. Krizhevsky: records
// of one label byte (CIFAR-10, fine = false) or a coarse and a fine label byte
// (CIFAR-100, fine = true: the fine label is used) followed by 3×32×32 pixel
// bytes, channel-major.
func ReadCIFAR(paths []string, fine bool) (*Dataset, error) {
	nl, classes := 1, 10
	if fine {
		nl, classes = 2, 100
	}
	const px = 3 * 32 * 32
	rec := nl + px
	d := &Dataset{Shape: Shape{3, 32, 32}, Classes: classes}
	for _, p := range paths {
		r, err := open(p)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrData, p, err)
		}
		if len(b) == 0 || len(b)%rec != 0 {
			return nil, fmt.Errorf("%w: %s: %d bytes is not a whole number of %d-byte records (%d label byte(s) + 3×32×32 pixels)", ErrData, p, len(b), rec, nl)
		}
		for i := 0; i < len(b); i += rec {
			if fine && b[i] >= 20 {
				return nil, fmt.Errorf("%w: %s: coarse label %d of record %d outside 0..19", ErrData, p, b[i], i/rec)
			}
			l := b[i+nl-1]
			if int(l) >= classes {
				return nil, fmt.Errorf("%w: %s: label %d of record %d outside 0..%d", ErrData, p, l, i/rec, classes-1)
			}
			d.Labels = append(d.Labels, l)
			for _, v := range b[i+nl : i+rec] {
				d.Pixels = append(d.Pixels, float64(v)/255)
			}
		}
	}
	return d, nil
}

// Split is a training and a test set.
type Split struct {
	Name        string
	Train, Test *Dataset
}

// LoadDir reads a data directory: Fashion-MNIST/MNIST IDX files
// (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-…), the
// CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin) or CIFAR-100
// (train.bin, test.bin), recognised by their official names.
func LoadDir(dir string) (*Split, error) {
	find := func(name string) (string, bool) {
		for _, p := range []string{name, name + ".gz"} {
			if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
				return filepath.Join(dir, p), true
			}
		}
		return "", false
	}
	if ti, ok := find("train-images-idx3-ubyte"); ok {
		tl, ok1 := find("train-labels-idx1-ubyte")
		vi, ok2 := find("t10k-images-idx3-ubyte")
		vl, ok3 := find("t10k-labels-idx1-ubyte")
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("%w: %s: IDX set needs train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (optionally .gz)", ErrData, dir)
		}
		train, err := ReadIDX(ti, tl, 10)
		if err != nil {
			return nil, err
		}
		test, err := ReadIDX(vi, vl, 10)
		if err != nil {
			return nil, err
		}
		if train.Shape != test.Shape {
			return nil, fmt.Errorf("%w: %s: training images are %v, test images %v", ErrData, dir, train.Shape, test.Shape)
		}
		return &Split{Name: filepath.Base(dir), Train: train, Test: test}, nil
	}
	if tb, ok := find("test_batch.bin"); ok {
		var tr []string
		for i := 1; i <= 5; i++ {
			p, ok := find(fmt.Sprintf("data_batch_%d.bin", i))
			if !ok {
				return nil, fmt.Errorf("%w: %s: CIFAR-10 needs data_batch_1.bin … data_batch_5.bin", ErrData, dir)
			}
			tr = append(tr, p)
		}
		return cifarSplit(dir, tr, tb, false)
	}
	if tb, ok := find("test.bin"); ok {
		tr, ok := find("train.bin")
		if !ok {
			return nil, fmt.Errorf("%w: %s: CIFAR-100 needs train.bin", ErrData, dir)
		}
		return cifarSplit(dir, []string{tr}, tb, true)
	}
	return nil, fmt.Errorf("%w: %s: no IDX (train-images-idx3-ubyte), CIFAR-10 (test_batch.bin) or CIFAR-100 (test.bin) files", ErrData, dir)
}

func cifarSplit(dir string, train []string, test string, fine bool) (*Split, error) {
	tr, err := ReadCIFAR(train, fine)
	if err != nil {
		return nil, err
	}
	te, err := ReadCIFAR([]string{test}, fine)
	if err != nil {
		return nil, err
	}
	return &Split{Name: filepath.Base(dir), Train: tr, Test: te}, nil
}
