// Command mksubset makes the stratified Fashion-MNIST subset shipped in
// learned/vision/testdata/fashion-mnist from the full set of the Debian
// package dataset-fashion-mnist:
//
//	go run ./learned/vision/internal/mksubset -train 600 -test 100
//
// It keeps, for every class, the first N images of that class in file order
// (no randomness), preserving the original order of the kept images.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/physid/physid/learned/vision"
)

func main() {
	src := flag.String("src", "/usr/share/datasets/fashion-mnist", "directory of the full IDX files")
	dst := flag.String("dst", "learned/vision/testdata/fashion-mnist", "output directory")
	ntrain := flag.Int("train", 600, "training images per class")
	ntest := flag.Int("test", 100, "test images per class")
	flag.Parse()
	if err := run(*src, *dst, *ntrain, *ntest); err != nil {
		fmt.Fprintln(os.Stderr, "mksubset:", err)
		os.Exit(1)
	}
}

func run(src, dst string, ntrain, ntest int) error {
	split, err := vision.LoadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, part := range []struct {
		d      *vision.Dataset
		prefix string
		per    int
	}{{split.Train, "train", ntrain}, {split.Test, "t10k", ntest}} {
		var px, lab []byte
		count := make([]int, part.d.Classes)
		for i, l := range part.d.Labels {
			if count[l] >= part.per {
				continue
			}
			count[l]++
			lab = append(lab, l)
			for _, v := range part.d.Image(i) {
				px = append(px, byte(v*255+0.5))
			}
		}
		s := part.d.Shape
		if err := vision.WriteIDX(filepath.Join(dst, part.prefix+"-images-idx3-ubyte.gz"), []int{len(lab), s.H, s.W}, px); err != nil {
			return err
		}
		if err := vision.WriteIDX(filepath.Join(dst, part.prefix+"-labels-idx1-ubyte.gz"), []int{len(lab)}, lab); err != nil {
			return err
		}
		fmt.Printf("%s: %d images, per class %v\n", part.prefix, len(lab), count)
	}
	return nil
}
