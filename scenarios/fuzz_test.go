package scenarios

import (
	"errors"
	"os"
	"testing"
)

// FuzzLoad: the loader never panics; it either returns an *Error or a
// scenario whose shapes fit its model, from which a problem can be built.
// The CSV argument is the content of any file the scenario names.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"toy_exponential.toml", "van_der_pol.toml"} {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src), "")
	}
	f.Add("[system]\nkind = \"vanderpol\"\n[[parameters]]\nname = \"mu\"\ninit = 1\n[initial_state]\nz0 = [1, 0]\n[data]\nfile = \"o.csv\"\n",
		"t,x,v\n1,2,3\n")
	f.Add("[system]\nkind = \"expression\"\nstate = [\"h\"]\ninputs = [\"u\"]\n[system.equations]\nh = \"-k*h + u\"\n"+
		"[[parameters]]\nname = \"k\"\ninit = 1\n[[parameters]]\nname = \"h0\"\ninit = 1\nlocal = true\n"+
		"[[observables]]\nname = \"y\"\nexpr = \"min(h, 2)\"\nnoise = \"lognormal\"\nsigma = 0.1\n"+
		"[[experiments]]\nname = \"a\"\nfile = \"d.csv\"\ncolumns = { t = \"time\" }\nz0 = [\"h0\"]\n"+
		"[[experiments]]\nname = \"b\"\nfile = \"d.csv\"\nz0 = [\"2*h0\"]\nfit = false\n",
		"time,t,u,y\n0,0,1,1\n1,1,2,1.5\n")
	f.Fuzz(func(t *testing.T, src, csv string) {
		open := func(name string) (string, []byte, error) { return name, []byte(csv), nil }
		sc, err := parse("f.toml", []byte(src), open)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%v is not a *Error", err)
			}
			if e.Error() == "" {
				t.Fatal("empty message")
			}
			return
		}
		dim, np := sc.Model.Dim(), sc.Model.NumParams()
		if sc.Likelihood() {
			if len(sc.Z0) != dim || len(sc.Params) != np {
				t.Fatalf("inconsistent scenario: %+v", sc)
			}
			if err := sc.FitProblem().Validate(); err != nil {
				t.Fatalf("a loaded scenario's problem is invalid: %v", err)
			}
			return
		}
		if len(sc.Z0) != dim || len(sc.Params) != np || len(sc.Times) == 0 ||
			len(sc.Values) != len(sc.Times)*len(sc.Observed) {
			t.Fatalf("inconsistent scenario: %+v", sc)
		}
		if _, err := sc.Problem(); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.Method(); err != nil {
			t.Fatal(err)
		}
	})
}
