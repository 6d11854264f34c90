package docker

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

func TestContainerHealthcheck(t *testing.T) {
	t.Parallel()
	needEngine(t)
	p := testProject(t, `
services:
  doc:
    image: `+testImage+`
    command: ["-name", "doc", "-healthy-for", "1500ms"]
    healthcheck:
      test: ["CMD", "/svc", "-check"]
      interval: 250ms
      timeout: 2s
      retries: 2
  plain:
    image: `+testImage+`
    command: ["-name", "plain"]
`)
	r := newTestRuntime(t, p, Options{})
	inst, err := r.Start(t.Context(), spec("doc"), nil, engine.Output{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop(sigterm, 5*time.Second)
	ch := inst.(engine.HealthReporter).Health()
	if ch == nil {
		t.Fatal("Health() is nil for a container with a healthcheck")
	}
	var seen []string
	want := []engine.State{engine.Healthy, engine.Unhealthy}
	timeout := time.After(20 * time.Second)
	for len(want) > 0 {
		select {
		case rep, ok := <-ch:
			if !ok {
				t.Fatalf("Health closed early; saw %v", seen)
			}
			seen = append(seen, string(rep.Status))
			if rep.Result.Probe != "healthcheck" || rep.Result.At.IsZero() {
				t.Errorf("result %+v", rep.Result)
			}
			if rep.Status != want[0] {
				continue
			}
			switch rep.Status {
			case engine.Healthy:
				if !rep.Result.OK || !strings.Contains(rep.Result.Output, "200 fine") {
					t.Errorf("healthy after %+v", rep.Result)
				}
			case engine.Unhealthy:
				if rep.Result.OK || !strings.Contains(rep.Result.Output, "503 sick now") || !strings.Contains(rep.Result.Output, "exit status 1") {
					t.Errorf("unhealthy after %+v", rep.Result)
				}
			}
			want = want[1:]
		case <-timeout:
			t.Fatalf("want healthy then unhealthy; saw %v", seen)
		}
	}
	if err := inst.Stop(sigterm, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	for range ch { // closed once the run is over
	}

	// A container without a healthcheck (the image has none) reports
	// nothing: the engine's own probes apply.
	plain, err := r.Start(t.Context(), spec("plain"), nil, engine.Output{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.(engine.HealthReporter).Health() != nil {
		t.Error("Health() of a container without a healthcheck is not nil")
	}
	plain.Stop(sigterm, 5*time.Second)
}

func TestImageFailures(t *testing.T) {
	t.Parallel()
	needEngine(t)
	p := testProject(t, `
services:
  unreachable:
    image: 127.0.0.1:1/berth/none:latest
  never:
    image: berth-test/not-here:latest
    pull_policy: never
  broken:
    build:
      context: ${SVC_CONTEXT}
      dockerfile: Dockerfile.fail
`)
	r := newTestRuntime(t, p, Options{})
	cases := []struct {
		service string
		want    []string
	}{
		{"unreachable", []string{"pulling image 127.0.0.1:1/berth/none:latest: ", "connection refused"}},
		{"never", []string{"image berth-test/not-here:latest not found, and pull_policy is never"}},
		{"broken", []string{
			"building broken: step 3/",
			"(RUN [\"/svc\", \"-fail-build\"]) failed: ",
			"returned a non-zero code: 3",
			"svc: failing this build step on purpose",
		}},
	}
	notWanted := map[string][]string{
		"broken": {"Running in", "Removing intermediate"}, // the builder's own words
	}
	for _, tc := range cases {
		t.Run(tc.service, func(t *testing.T) {
			t.Parallel()
			var st statuses
			_, err := r.Start(t.Context(), spec(tc.service), nil, engine.Output{Status: st.add})
			if err == nil {
				t.Fatal("Start succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, w := range notWanted[tc.service] {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error has %q:\n%v", w, err)
				}
			}
		})
	}
}
