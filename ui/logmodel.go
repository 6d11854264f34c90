package ui

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/berth-dev/berth/engine"
)

// logFilter chooses the lines a log view shows: by stream, and by text
// that is either plain (case-insensitive substring) or a regular
// expression.
type logFilter struct {
	stream engine.Stream // "" for both
	text   string
	re     *regexp.Regexp
}

// newLogFilter builds a filter; a regex that does not compile is an
// error for the view to show, and the old filter stays.
func newLogFilter(text string, isRegex bool, stream engine.Stream) (logFilter, error) {
	f := logFilter{stream: stream}
	if text == "" {
		return f, nil
	}
	if isRegex {
		re, err := regexp.Compile(text)
		if err != nil {
			return logFilter{}, fmt.Errorf("not a regular expression: %w", err)
		}
		f.re = re
		return f, nil
	}
	f.text = strings.ToLower(text)
	return f, nil
}

func (f logFilter) keep(l engine.Line) bool {
	if f.stream != "" && l.Stream != f.stream {
		return false
	}
	switch {
	case f.re != nil:
		return f.re.MatchString(l.Text)
	case f.text != "":
		return strings.Contains(strings.ToLower(l.Text), f.text)
	}
	return true
}

// logModel holds the lines a log view can show: the newest max lines it
// was given, and those of them the filter keeps. Memory stays bounded
// whatever a service writes.
type logModel struct {
	max    int
	all    []engine.Line
	shown  []engine.Line
	filter logFilter
}

// defaultLogLines is how many lines a view keeps unless settings say.
const defaultLogLines = 5000

func newLogModel(max int) *logModel {
	m := &logModel{}
	m.setMax(max)
	return m
}

// setMax changes how many lines the model keeps (the default for 0).
func (m *logModel) setMax(max int) {
	if max <= 0 {
		max = defaultLogLines
	}
	m.max = max
	m.all = trimOldest(m.all, max)
	m.shown = trimOldest(m.shown, max)
}

// add appends lines, dropping the oldest beyond max.
func (m *logModel) add(lines []engine.Line) {
	for _, l := range lines {
		if l.Skipped > 0 {
			l.Text = fmt.Sprintf("… %d lines skipped: the view fell behind", l.Skipped)
		}
		m.all = append(m.all, l)
		if m.filter.keep(l) || l.Skipped > 0 {
			m.shown = append(m.shown, l)
		}
	}
	m.all = trimOldest(m.all, m.max)
	m.shown = trimOldest(m.shown, m.max)
}

// trimOldest keeps the newest max lines. Reslicing keeps adding
// amortised O(1); once append outgrows the backing array it allocates one
// sized to what is kept, so memory stays within a small multiple of max.
func trimOldest(lines []engine.Line, max int) []engine.Line {
	if len(lines) <= max {
		return lines
	}
	return lines[len(lines)-max:]
}

// setFilter changes the filter and recomputes what is shown.
func (m *logModel) setFilter(f logFilter) {
	m.filter = f
	m.shown = m.shown[:0:0]
	for _, l := range m.all {
		if f.keep(l) || l.Skipped > 0 {
			m.shown = append(m.shown, l)
		}
	}
}

func (m *logModel) clear() {
	m.all, m.shown = nil, nil
}

// text renders lines as a file would hold them.
func logText(lines []engine.Line, timestamps, services bool) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(formatLine(l, timestamps, services))
		b.WriteByte('\n')
	}
	return b.String()
}

// formatLine is one line as shown and saved.
func formatLine(l engine.Line, timestamps, services bool) string {
	var b strings.Builder
	if timestamps {
		b.WriteString(l.At.Format("15:04:05.000 "))
	}
	if services {
		b.WriteString(l.Service)
		b.WriteString(" | ")
	}
	if l.Stream == engine.Stderr {
		b.WriteString("! ")
	}
	b.WriteString(l.Text)
	return b.String()
}
