package docker

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine"
)

// A pull as the engine streams it, one JSON message a line.
const pullStream = `{"status":"Pulling from library/postgres","id":"16"}
{"status":"Pulling fs layer","progressDetail":{},"id":"a1"}
{"status":"Pulling fs layer","progressDetail":{},"id":"b2"}
{"status":"Downloading","progressDetail":{"current":5000000,"total":10000000},"id":"a1"}
{"status":"Download complete","progressDetail":{},"id":"a1"}
{"status":"Downloading","progressDetail":{"current":10000000,"total":40000000},"id":"b2"}
{"status":"Extracting","progressDetail":{"current":10000000,"total":10000000},"id":"a1"}
{"status":"Pull complete","progressDetail":{},"id":"a1"}
{"status":"Download complete","progressDetail":{},"id":"b2"}
{"status":"Pull complete","progressDetail":{},"id":"b2"}
{"status":"Digest: sha256:abc"}
{"status":"Status: Downloaded newer image for postgres:16"}
`

// progressLines reads a stream into take, one "progress detail" line a
// message.
func progressLines(stream string, take func(message) engine.Status) (string, error) {
	var lines []string
	err := readMessages(strings.NewReader(stream), func(m message) {
		st := take(m)
		lines = append(lines, fmt.Sprintf("%.2f %s", st.Progress, st.Detail))
	})
	return strings.Join(lines, "\n"), err
}

func TestPullProgress(t *testing.T) {
	p := newPullProgress("postgres:16")
	got, err := progressLines(pullStream, p.take)
	if err != nil {
		t.Fatal(err)
	}
	want := `-1.00 pulling postgres:16
0.00 pulling postgres:16
0.00 pulling postgres:16
0.20 pulling postgres:16: 5MB of 10MB
0.40 pulling postgres:16: 10MB of 10MB
0.50 pulling postgres:16: 20MB of 50MB
0.60 pulling postgres:16: 20MB of 50MB
0.60 pulling postgres:16: 20MB of 50MB
0.90 pulling postgres:16: 50MB of 50MB
1.00 pulling postgres:16: 50MB of 50MB
1.00 pulling postgres:16: 50MB of 50MB
1.00 pulling postgres:16: 50MB of 50MB`
	if got != want {
		t.Errorf("progress:\n%s\nwant:\n%s", got, want)
	}
}

func TestStreamError(t *testing.T) {
	s := `{"status":"Pulling from library/nope"}
{"errorDetail":{"message":"manifest for nope:latest not found: manifest unknown"},"error":"manifest for nope:latest not found: manifest unknown"}
`
	n := 0
	err := readMessages(strings.NewReader(s), func(message) { n++ })
	if err == nil || err.Error() != "manifest for nope:latest not found: manifest unknown" || n != 1 {
		t.Errorf("err %v after %d messages", err, n)
	}
}

// A classic build as the engine streams it: output split across
// messages, the builder's bookkeeping between the steps' own lines.
const buildStream = `{"stream":"Step 1/3 : FROM scratch\n"}
{"stream":"\n"}
{"stream":" ---\u003e \n"}
{"stream":"Step 2/3 : COPY svc /svc\n"}
{"stream":" ---\u003e 1a2b3c\n"}
{"stream":"Step 3/3 : RUN [\"/svc\", \"-fail-build\"]\n"}
{"stream":" ---\u003e Running in 4d5e6f\n"}
{"stream":"svc: failing"}
{"stream":" this build step on purpose\n"}
{"errorDetail":{"code":3,"message":"The command '/svc -fail-build' returned a non-zero code: 3"},"error":"The command '/svc -fail-build' returned a non-zero code: 3"}
`

func TestBuildProgress(t *testing.T) {
	b := newBuildProgress("web")
	got, err := progressLines(buildStream, b.take)
	want := `0.00 building web: step 1/3 FROM scratch
0.00 building web: step 1/3 FROM scratch
0.00 building web: step 1/3 FROM scratch
0.33 building web: step 2/3 COPY svc /svc
0.33 building web: step 2/3 COPY svc /svc
0.67 building web: step 3/3 RUN ["/svc", "-fail-build"]
0.67 building web: step 3/3 RUN ["/svc", "-fail-build"]
0.67 building web: step 3/3 RUN ["/svc", "-fail-build"]
0.67 building web: step 3/3 RUN ["/svc", "-fail-build"]`
	if got != want {
		t.Errorf("progress:\n%s\nwant:\n%s", got, want)
	}
	wantErr := `building web: step 3/3 (RUN ["/svc", "-fail-build"]) failed: The command '/svc -fail-build' returned a non-zero code: 3
svc: failing this build step on purpose`
	if got := b.failure(err).Error(); got != wantErr {
		t.Errorf("failure:\n%s\nwant:\n%s", got, wantErr)
	}
}

func TestReporterThrottles(t *testing.T) {
	now := time.Unix(0, 0)
	var got []string
	r := newReporter(func(s engine.Status) { got = append(got, fmt.Sprintf("%s %.1f", s.State, s.Progress)) })
	r.now = func() time.Time { return now }
	step := func(d time.Duration, st engine.Status) {
		now = now.Add(d)
		r.report(st)
	}
	prep := func(p float64) engine.Status { return engine.Status{State: engine.Preparing, Detail: "x", Progress: p} }
	step(0, prep(0.1))                            // first: shown
	step(10*time.Millisecond, prep(0.2))          // too soon
	step(100*time.Millisecond, prep(0.3))         // shown
	step(0, prep(0.3))                            // the same
	step(0, engine.Status{State: engine.Waiting}) // another state: at once
	step(0, engine.Status{})                      // over: at once
	if s := strings.Join(got, ", "); s != "preparing 0.1, preparing 0.3, waiting 0.0,  0.0" {
		t.Errorf("reported: %s", s)
	}
}
