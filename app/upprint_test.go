package app

import (
	"testing"

	"github.com/berth-dev/berth/engine"
)

// berth up prints a pull's progress in tenths, and every build step.
func TestUpPrintsProgressInTenths(t *testing.T) {
	pull := func(p float64, detail string) engine.ServiceState {
		return engine.ServiceState{Name: "db", State: engine.Preparing, Progress: p, Detail: detail}
	}
	if printKey(pull(0.31, "pulling: 3 MB of 10 MB")) != printKey(pull(0.38, "pulling: 4 MB of 10 MB")) {
		t.Error("a line for every megabyte")
	}
	if printKey(pull(0.38, "")) == printKey(pull(0.41, "")) {
		t.Error("no line for a new tenth")
	}
	if printKey(pull(-1, "step 1/3")) == printKey(pull(-1, "step 2/3")) {
		t.Error("no line for a build step")
	}
}
