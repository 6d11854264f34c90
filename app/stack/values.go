package stack

import (
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-shellwords"
)

// valueDecoder is a schema type that reads its own YAML value; the error
// text is completed with the key's path by the decoder.
type valueDecoder interface {
	decodeValue(v any) error
}

// Words is a command: a YAML list of words, or a string split into words
// as Compose splits `command` (shell quoting, no shell, no expansion).
type Words []string

func (w *Words) decodeValue(v any) error {
	switch v := v.(type) {
	case string:
		words, err := splitWords(v)
		if err != nil {
			return err
		}
		*w = words
		return nil
	case []any:
		words := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("want a string or a list of strings, item %d is %s", i, describe(e))
			}
			words[i] = s
		}
		*w = words
		return nil
	}
	return fmt.Errorf("want a string or a list of strings, got %s", describe(v))
}

// splitWords splits a command string with the same rules compose-go
// applies to `command`, so `x-berth.command` reads like `command`. Where
// those rules silently drop the rest of the line (at an unquoted ;, &, |,
// < or >), it is an error instead: no shell will run it.
func splitWords(s string) ([]string, error) {
	p := shellwords.NewParser()
	words, err := p.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("cannot split %q into words: %w", s, err)
	}
	if p.Position >= 0 {
		// Shown as it is written in the file, with Compose's $$ escape.
		esc := strings.ReplaceAll(s, "$", "$$")
		return nil, fmt.Errorf("%q is shell syntax, and no shell runs the command: write [\"sh\", \"-c\", %q]",
			strings.ReplaceAll(s[p.Position:], "$", "$$"), esc)
	}
	return words, nil
}

// Duration is a span of time written as Go writes it ("500ms", "1m30s").
type Duration time.Duration

func (d *Duration) decodeValue(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("want a duration such as \"2s\", got %s", describe(v))
	}
	p, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as \"2s\", got %q", s)
	}
	if p < 0 {
		return fmt.Errorf("want a positive duration, got %q", s)
	}
	*d = Duration(p)
	return nil
}

// MarshalYAML writes the duration as text.
func (d Duration) MarshalYAML() (any, error) {
	return time.Duration(d).String(), nil
}

// describe names a decoded YAML value for an error: its kind and, for
// scalars, the value.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("%q", v)
	case bool:
		return fmt.Sprintf("%t", v)
	case int, int64, uint64, float64:
		return fmt.Sprintf("%v", v)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}
