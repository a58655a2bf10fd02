package vision

import (
	"embed"
	"os"
	"path/filepath"
)

//go:embed testdata/fashion-mnist/*.gz
var shipped embed.FS

// Subset returns the stratified Fashion-MNIST subset shipped with the package
// (600 training and 100 test images per class; see testdata/README.md).
func Subset() (*Split, error) {
	const dir = "testdata/fashion-mnist/"
	train, err := ReadIDXFS(shipped, dir+"train-images-idx3-ubyte.gz", dir+"train-labels-idx1-ubyte.gz", 10)
	if err != nil {
		return nil, err
	}
	test, err := ReadIDXFS(shipped, dir+"t10k-images-idx3-ubyte.gz", dir+"t10k-labels-idx1-ubyte.gz", 10)
	if err != nil {
		return nil, err
	}
	return &Split{Name: "fashion-mnist-subset", Train: train, Test: test}, nil
}

// FashionMNISTDir is where the Debian package dataset-fashion-mnist installs
// the full set.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNIST reads the full set from FashionMNISTDir.
func FashionMNIST() (*Split, error) {
	if _, err := os.Stat(filepath.Join(FashionMNISTDir, "train-images-idx3-ubyte.gz")); err != nil {
		return nil, err
	}
	s, err := LoadDir(FashionMNISTDir)
	if s != nil {
		s.Name = "fashion-mnist"
	}
	return s, err
}
