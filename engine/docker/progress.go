package docker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"

	"github.com/berth-dev/berth/engine"
)

// message is one line of the JSON stream the engine sends while it pulls
// or builds an image.
type message struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Stream   string `json:"stream"`
	Progress struct {
		Current int64 `json:"current"`
		Total   int64 `json:"total"`
	} `json:"progressDetail"`
	Error       string `json:"error"`
	ErrorDetail struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
	Aux json.RawMessage `json:"aux"`
}

// streamError is the error a stream ended with.
func (m message) streamError() error {
	if m.ErrorDetail.Message != "" {
		return errors.New(m.ErrorDetail.Message)
	}
	if m.Error != "" {
		return errors.New(m.Error)
	}
	return nil
}

// readMessages decodes the stream, giving each message to fn, until the
// stream ends or carries an error.
func readMessages(r io.Reader, fn func(message)) error {
	dec := json.NewDecoder(r)
	for {
		var m message
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the engine's answer: %w", err)
		}
		if err := m.streamError(); err != nil {
			return err
		}
		fn(m)
	}
}

// reporter hands statuses to an engine.Status callback, at most one per
// interval unless the words change, so a fast stream cannot flood the
// engine's snapshots.
type reporter struct {
	fn    func(engine.Status)
	every time.Duration
	now   func() time.Time
	last  time.Time
	shown engine.Status
}

func newReporter(fn func(engine.Status)) *reporter {
	return &reporter{fn: fn, every: 100 * time.Millisecond, now: time.Now}
}

func (r *reporter) report(st engine.Status) {
	if r.fn == nil || st == r.shown {
		return
	}
	now := r.now()
	if st.State == r.shown.State && now.Sub(r.last) < r.every {
		return
	}
	r.last, r.shown = now, st
	r.fn(st)
}

// pullProgress follows the layers of a pull: each layer counts for the
// same share, downloading its first 80%, extracting the rest.
type pullProgress struct {
	ref    string
	order  []string
	layers map[string]*layer
}

type layer struct {
	frac          float64
	current, size int64
}

func newPullProgress(ref string) *pullProgress {
	return &pullProgress{ref: ref, layers: map[string]*layer{}}
}

// take reads one message of the pull and returns the status to show.
func (p *pullProgress) take(m message) engine.Status {
	if m.ID != "" && isLayerStatus(m.Status) {
		l := p.layers[m.ID]
		if l == nil {
			l = &layer{}
			p.layers[m.ID] = l
			p.order = append(p.order, m.ID)
		}
		switch {
		case m.Status == "Downloading" && m.Progress.Total > 0:
			l.current, l.size = m.Progress.Current, m.Progress.Total
			l.frac = 0.8 * float64(m.Progress.Current) / float64(m.Progress.Total)
		case m.Status == "Verifying Checksum" || m.Status == "Download complete":
			l.current = l.size
			l.frac = 0.8
		case m.Status == "Extracting" && m.Progress.Total > 0:
			l.frac = 0.8 + 0.2*float64(m.Progress.Current)/float64(m.Progress.Total)
		case m.Status == "Pull complete" || m.Status == "Already exists":
			l.current = l.size
			l.frac = 1
		}
	}
	return p.status()
}

func isLayerStatus(s string) bool {
	switch s {
	case "Pulling fs layer", "Waiting", "Downloading", "Verifying Checksum", "Download complete",
		"Extracting", "Pull complete", "Already exists", "Retrying":
		return true
	}
	return false
}

func (p *pullProgress) status() engine.Status {
	st := engine.Status{State: engine.Preparing, Detail: "pulling " + p.ref, Progress: -1}
	if len(p.order) == 0 {
		return st
	}
	var frac float64
	var cur, size int64
	for _, id := range p.order {
		l := p.layers[id]
		frac += l.frac
		cur += l.current
		size += l.size
	}
	st.Progress = frac / float64(len(p.order))
	if size > 0 {
		st.Detail += fmt.Sprintf(": %s of %s", units.HumanSize(float64(cur)), units.HumanSize(float64(size)))
	}
	return st
}

// stepLine is the legacy builder's header of each Dockerfile step.
var stepLine = regexp.MustCompile(`^Step (\d+)/(\d+) : (.*)$`)

// buildProgress follows a build's steps and keeps the output of the
// current one, to say what failed.
type buildProgress struct {
	name        string // the service
	step, steps int
	instruction string
	output      []string // the current step's lines, the last maxStepLines
	partial     string
}

const maxStepLines = 20

func newBuildProgress(name string) *buildProgress {
	return &buildProgress{name: name}
}

// take reads one message of the build and returns the status to show.
func (b *buildProgress) take(m message) engine.Status {
	text := b.partial + m.Stream
	lines := strings.Split(text, "\n")
	b.partial = lines[len(lines)-1]
	for _, line := range lines[:len(lines)-1] {
		line = strings.TrimRight(line, "\r")
		if sm := stepLine.FindStringSubmatch(line); sm != nil {
			b.step, _ = strconv.Atoi(sm[1])
			b.steps, _ = strconv.Atoi(sm[2])
			b.instruction = sm[3]
			b.output = b.output[:0]
			continue
		}
		if strings.TrimSpace(line) == "" || isBuilderNoise(line) {
			continue
		}
		b.output = append(b.output, line)
		if len(b.output) > maxStepLines {
			b.output = b.output[1:]
		}
	}
	return b.status()
}

func (b *buildProgress) status() engine.Status {
	st := engine.Status{State: engine.Preparing, Detail: "building " + b.name, Progress: -1}
	if b.steps > 0 {
		st.Detail += fmt.Sprintf(": step %d/%d %s", b.step, b.steps, b.instruction)
		st.Progress = float64(b.step-1) / float64(b.steps)
	}
	return st
}

// failure says which step failed and what it printed.
func (b *buildProgress) failure(err error) error {
	if b.steps == 0 {
		return fmt.Errorf("building %s: %w", b.name, err)
	}
	out := ""
	if len(b.output) > 0 {
		out = "\n" + strings.Join(b.output, "\n")
	}
	return fmt.Errorf("building %s: step %d/%d (%s) failed: %w%s", b.name, b.step, b.steps, b.instruction, err, out)
}

// isBuilderNoise is the classic builder's own bookkeeping between a
// step's output lines.
func isBuilderNoise(line string) bool {
	return strings.HasPrefix(line, " ---> ") || strings.HasPrefix(line, "Removing intermediate container ") ||
		strings.HasPrefix(line, "Successfully built ") || strings.HasPrefix(line, "Successfully tagged ")
}
